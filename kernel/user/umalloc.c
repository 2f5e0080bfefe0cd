// malloc/free for user programs. The heap is carved into chunks, each starting with a
// 16-byte header that records the chunk's size in bytes (header included). Free chunks
// are kept on one list sorted by address, so free() can merge a chunk with the free
// neighbours on either side. malloc() takes the first free chunk that is big enough,
// splitting off the tail it does not need, and grows the heap with sbrk() when no chunk
// fits. Invariant: no two chunks on the free list are adjacent in memory.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

struct chunk {
  uint64 size;          // bytes, header included, a multiple of sizeof(struct chunk)
  struct chunk *next;   // next free chunk at a higher address (free chunks only)
};

#define UNIT sizeof(struct chunk)
#define MINGROW (16 * 1024)  // grow the heap by at least this much at a time

static struct chunk *freelist;

// Puts c on the free list, merging it with the chunks just before and after it.
static void
insert_free(struct chunk *c)
{
  struct chunk *prev = 0, *next = freelist;
  while(next != 0 && next < c){
    prev = next;
    next = next->next;
  }
  if(next != 0 && (char *)c + c->size == (char *)next){
    c->size += next->size;
    c->next = next->next;
  } else {
    c->next = next;
  }
  if(prev != 0 && (char *)prev + prev->size == (char *)c){
    prev->size += c->size;
    prev->next = c->next;
  } else if(prev != 0){
    prev->next = c;
  } else {
    freelist = c;
  }
}

static int
grow(uint64 need)
{
  if(need < MINGROW)
    need = MINGROW;
  if(need > 0x7fffffff)
    return -1;
  char *p = sbrk(need);
  if(p == (char *)-1)
    return -1;
  struct chunk *c = (struct chunk *)p;
  c->size = need;
  insert_free(c);
  return 0;
}

void *
malloc(uint n)
{
  uint64 need = ((uint64)n + UNIT - 1) / UNIT * UNIT + UNIT;
  for(int tries = 0; tries < 2; tries++){
    struct chunk *prev = 0;
    for(struct chunk *c = freelist; c != 0; prev = c, c = c->next){
      if(c->size < need)
        continue;
      if(c->size - need >= 2 * UNIT){
        // Keep the front on the free list; hand out the tail.
        c->size -= need;
        struct chunk *tail = (struct chunk *)((char *)c + c->size);
        tail->size = need;
        return tail + 1;
      }
      if(prev)
        prev->next = c->next;
      else
        freelist = c->next;
      return c + 1;
    }
    if(grow(need) < 0)
      return 0;
  }
  return 0;
}

void
free(void *p)
{
  if(p == 0)
    return;
  insert_free((struct chunk *)p - 1);
}
