// wc: counts the lines, words and bytes of each named file (standard input when none is
// named) and prints "lines words bytes name", the name left out for standard input.
// With more than one file a "total" line follows. A line is counted at each '\n'; a word
// is a longest run of characters other than space, tab, newline, CR, VT and FF.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

struct counts {
  uint64 lines, words, bytes;
};

static char buf[1024];

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Adds what fd holds to *c; -1 on a read error.
static int
count_fd(int fd, struct counts *c)
{
  int in_word = 0;
  int n;
  while((n = read(fd, buf, sizeof(buf))) > 0){
    c->bytes += n;
    for(int i = 0; i < n; i++){
      if(buf[i] == '\n')
        c->lines++;
      if(is_blank(buf[i])){
        in_word = 0;
      } else if(!in_word){
        in_word = 1;
        c->words++;
      }
    }
  }
  return n < 0 ? -1 : 0;
}

static void
show(struct counts *c, const char *name)
{
  if(name)
    printf("%lu %lu %lu %s\n", c->lines, c->words, c->bytes, name);
  else
    printf("%lu %lu %lu\n", c->lines, c->words, c->bytes);
}

int
main(int argc, char *argv[])
{
  struct counts c = { 0, 0, 0 };
  if(argc < 2){
    if(count_fd(0, &c) < 0){
      fprintf(2, "wc: error reading standard input\n");
      return 1;
    }
    show(&c, 0);
    return 0;
  }
  struct counts total = { 0, 0, 0 };
  int status = 0;
  for(int i = 1; i < argc; i++){
    int fd = open(argv[i], O_RDONLY);
    if(fd < 0){
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      status = 1;
      continue;
    }
    c.lines = c.words = c.bytes = 0;
    if(count_fd(fd, &c) < 0){
      fprintf(2, "wc: error reading %s\n", argv[i]);
      status = 1;
    } else {
      show(&c, argv[i]);
    }
    close(fd);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if(argc > 2)
    show(&total, "total");
  return status;
}
