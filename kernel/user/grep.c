// grep: prints the lines of each FILE (standard input when none is named) that match
// PATTERN, a small regular expression:
//   c             the character c             .        any character
//   [abc] [a-z]   one character of the set    [^abc]   one character not in it
//   \c            c itself, even when c is one of . [ ] * + ? ^ $ or a backslash
//   x* x+ x?      zero or more, one or more, zero or one of the item x before
//   ^ first, $ last   the match must start at the beginning, end at the end of the line
// A ^ or $ elsewhere stands for itself. With more than one FILE each printed line is
// prefixed by "FILE:". Exit status: 0 when some line matched, 1 when none did, 2 on a
// bad pattern or a file that cannot be read.
//
// The pattern is compiled into a list of items. Matching keeps the set of positions in
// that list a match in progress can have reached (the states) and advances all of them
// together over each input character, so a line costs (its length x items) steps and
// no pattern makes it backtrack.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

#define MAXITEMS 64
#define LINEMAX 1024   // longer lines are matched (and printed) in pieces

enum rep { ONCE, STAR, OPT };

struct item {
  uchar set[32];   // bit c is set when the item matches character c
  enum rep rep;
};

static struct item items[MAXITEMS];
static int nitems;
static int anchor_start, anchor_end;

static uchar cur[MAXITEMS + 1], nxt[MAXITEMS + 1];   // state sets: 1 = reached
static char buf[LINEMAX];

static void
set_add(uchar *set, int c)
{
  set[c >> 3] |= 1 << (c & 7);
}

static int
in_set(const uchar *set, int c)
{
  return (set[c >> 3] >> (c & 7)) & 1;
}

static int
bad_pattern(const char *pattern, const char *why)
{
  fprintf(2, "grep: bad pattern %s: %s\n", pattern, why);
  return -1;
}

// Parses the inside of a bracket expression, p just past the '[', into set. Returns
// the character after the closing ']', or 0 when there is none.
static const char *
parse_class(const char *p, uchar *set)
{
  uchar members[32];
  memset(members, 0, sizeof(members));
  int negate = *p == '^';
  if(negate)
    p++;
  int first = 1;
  for(; *p && (first || *p != ']'); first = 0){
    int lo = (uchar)*p++;
    if(lo == '\\' && *p)
      lo = (uchar)*p++;
    int hi = lo;
    if(p[0] == '-' && p[1] && p[1] != ']'){   // a range; '-' first or last is literal
      p++;
      hi = (uchar)*p++;
      if(hi == '\\' && *p)
        hi = (uchar)*p++;
    }
    for(int c = lo; c <= hi; c++)
      set_add(members, c);
  }
  if(*p != ']')
    return 0;
  for(int i = 0; i < 32; i++)
    set[i] = negate ? ~members[i] : members[i];
  return p + 1;
}

// Compiles pattern into items[] and the anchors; 0, or -1 after saying what is wrong.
static int
compile(const char *pattern)
{
  const char *p = pattern;
  if(*p == '^'){
    anchor_start = 1;
    p++;
  }
  while(*p){
    if(p[0] == '$' && p[1] == 0){
      anchor_end = 1;
      break;
    }
    if(*p == '*' || *p == '+' || *p == '?')
      return bad_pattern(pattern, "*, + or ? with nothing to repeat");
    if(nitems + 2 > MAXITEMS)   // x+ takes two items
      return bad_pattern(pattern, "too long");
    struct item *it = &items[nitems++];
    memset(it->set, 0, sizeof(it->set));
    it->rep = ONCE;
    if(*p == '.'){
      memset(it->set, 0xff, sizeof(it->set));
      p++;
    } else if(*p == '['){
      p = parse_class(p + 1, it->set);
      if(p == 0)
        return bad_pattern(pattern, "[ without ]");
    } else if(*p == '\\'){
      if(p[1] == 0)
        return bad_pattern(pattern, "\\ at the end");
      set_add(it->set, (uchar)p[1]);
      p += 2;
    } else {
      set_add(it->set, (uchar)*p++);
    }
    if(*p == '*'){
      it->rep = STAR;
      p++;
    } else if(*p == '?'){
      it->rep = OPT;
      p++;
    } else if(*p == '+'){   // x+ is x followed by x*
      items[nitems] = *it;
      items[nitems++].rep = STAR;
      p++;
    }
  }
  return 0;
}

// Marks state i reached, and the states after it that need no character: a match that
// has reached i may skip any run of items that can match nothing (x*, x?).
static void
add_state(uchar *states, int i)
{
  while(!states[i]){   // already set: its followers are set too
    states[i] = 1;
    if(i == nitems || items[i].rep == ONCE)
      break;
    i++;
  }
}

// Does the line s[0..n) (without its '\n') hold a match?
static int
match(const char *s, int n)
{
  memset(cur, 0, nitems + 1);
  add_state(cur, 0);
  for(int k = 0; ; k++){
    if(cur[nitems] && (!anchor_end || k == n))
      return 1;
    if(k == n)
      return 0;
    memset(nxt, 0, nitems + 1);
    int c = (uchar)s[k];
    for(int i = 0; i < nitems; i++){
      if(cur[i] && in_set(items[i].set, c))
        add_state(nxt, items[i].rep == STAR ? i : i + 1);
    }
    if(!anchor_start)   // a match may also start at the next character
      add_state(nxt, 0);
    memmove(cur, nxt, nitems + 1);
  }
}

static int found;   // some line matched

static void
line(const char *s, int n, const char *prefix)
{
  if(!match(s, n))
    return;
  found = 1;
  if(prefix)
    printf("%s:", prefix);
  write(1, s, n);
  write(1, "\n", 1);
}

// Reads fd to its end and prints the lines that match; -1 on a read error.
static int
grep_fd(int fd, const char *name, const char *prefix)
{
  int len = 0;       // bytes in buf not yet handed to line()
  int warned = 0;
  for(;;){
    int n = read(fd, buf + len, sizeof(buf) - len);
    if(n < 0)
      return -1;
    len += n;
    int start = 0;
    for(int i = 0; i < len; i++){
      if(buf[i] == '\n'){
        line(buf + start, i - start, prefix);
        start = i + 1;
      }
    }
    // At the end, the last line may lack its '\n'; a full buffer without one is a line
    // too long for it.
    if(start < len && (n == 0 || (start == 0 && len == sizeof(buf)))){
      if(n > 0 && !warned){
        fprintf(2, "grep: %s: a line longer than %d bytes is matched in pieces\n", name,
                LINEMAX);
        warned = 1;
      }
      line(buf + start, len - start, prefix);
      start = len;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    if(n == 0)
      return 0;
  }
}

int
main(int argc, char *argv[])
{
  if(argc < 2){
    fprintf(2, "usage: grep PATTERN [FILE...]\n");
    return 2;
  }
  if(compile(argv[1]) < 0)
    return 2;
  if(argc == 2)
    return grep_fd(0, "standard input", 0) < 0 ? 2 : !found;
  int status = 0;
  for(int i = 2; i < argc; i++){
    int fd = open(argv[i], O_RDONLY);
    if(fd < 0){
      fprintf(2, "grep: cannot open %s\n", argv[i]);
      status = 2;
      continue;
    }
    if(grep_fd(fd, argv[i], argc > 3 ? argv[i] : 0) < 0){
      fprintf(2, "grep: error reading %s\n", argv[i]);
      status = 2;
    }
    close(fd);
  }
  return status ? status : !found;
}
