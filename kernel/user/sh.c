// sh: the shell. It reads one line at a time and runs it in three steps:
//   1. lex: split the line into words and the operators | ; < > (words may be quoted
//      with "..." to keep spaces in them);
//   2. parse: group the tokens into a table of simple commands, each with its argv,
//      its redirections and the operator that follows it (| or ; or end of line);
//   3. run: each ;-separated pipeline in turn, one child process per command, joined
//      by pipes, and wait for all of them.
// Builtins: cd (runs in the shell itself) and exit. The prompt "$ " is printed only
// when standard input is a device (the console), so scripts run quietly. End of input
// ends the shell.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

#define LINEMAX 512
#define MAXTOK 128
#define MAXCMD 16

enum toktype { T_WORD, T_PIPE, T_SEMI, T_IN, T_OUT };

struct token {
  enum toktype type;
  char *word;   // T_WORD only: points into the lexer's word storage
};

enum sep { SEP_END, SEP_PIPE, SEP_SEMI };

struct cmd {
  char *argv[MAXARG + 1];
  int argc;
  char *in;     // file for standard input, or 0
  char *out;    // file for standard output (created/truncated), or 0
  enum sep sep; // what follows this command
};

static char line[LINEMAX];
static char words[LINEMAX * 2];   // NUL-terminated copies of the words
static struct token toks[MAXTOK];
static struct cmd cmds[MAXCMD];

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_special(char c)
{
  return c == '|' || c == ';' || c == '<' || c == '>';
}

// Splits s into toks[]; returns the token count, or -1 on a lexical error.
static int
lex(char *s)
{
  int ntok = 0;
  char *w = words;
  while(*s){
    if(is_space(*s)){
      s++;
      continue;
    }
    if(ntok == MAXTOK){
      fprintf(2, "sh: too many words\n");
      return -1;
    }
    struct token *t = &toks[ntok++];
    if(is_special(*s)){
      t->type = *s == '|' ? T_PIPE : *s == ';' ? T_SEMI : *s == '<' ? T_IN : T_OUT;
      t->word = 0;
      s++;
      continue;
    }
    t->type = T_WORD;
    t->word = w;
    while(*s && !is_space(*s) && !is_special(*s)){
      if(*s == '"'){
        s++;
        while(*s && *s != '"')
          *w++ = *s++;
        if(*s != '"'){
          fprintf(2, "sh: missing closing quote\n");
          return -1;
        }
        s++;
      } else {
        *w++ = *s++;
      }
    }
    *w++ = 0;
  }
  return ntok;
}

// Groups toks[0..ntok) into cmds[]; returns the command count, or -1 on a syntax error.
static int
parse(int ntok)
{
  int ncmd = 0;
  struct cmd *c = 0;
  for(int i = 0; i < ntok; i++){
    struct token *t = &toks[i];
    if(c == 0){
      if(t->type == T_SEMI)   // empty command between semicolons: ignore
        continue;
      if(ncmd == MAXCMD){
        fprintf(2, "sh: too many commands\n");
        return -1;
      }
      c = &cmds[ncmd++];
      memset(c, 0, sizeof(*c));
    }
    switch(t->type){
    case T_WORD:
      if(c->argc == MAXARG){
        fprintf(2, "sh: too many arguments\n");
        return -1;
      }
      c->argv[c->argc++] = t->word;
      break;
    case T_IN:
    case T_OUT:
      if(i + 1 == ntok || toks[i + 1].type != T_WORD){
        fprintf(2, "sh: missing file name after %c\n", t->type == T_IN ? '<' : '>');
        return -1;
      }
      if(t->type == T_IN)
        c->in = toks[++i].word;
      else
        c->out = toks[++i].word;
      break;
    case T_PIPE:
    case T_SEMI:
      if(c->argc == 0){
        fprintf(2, "sh: missing command\n");
        return -1;
      }
      c->sep = t->type == T_PIPE ? SEP_PIPE : SEP_SEMI;
      c = 0;
      break;
    }
  }
  if(c != 0 && c->argc == 0){
    fprintf(2, "sh: missing command\n");
    return -1;
  }
  if(ncmd > 0 && cmds[ncmd - 1].sep == SEP_PIPE){
    fprintf(2, "sh: missing command after |\n");
    return -1;
  }
  return ncmd;
}

// Makes fd `want` refer to the open file fd (which is then closed).
static void
move_fd(int fd, int want)
{
  if(fd == want)
    return;
  close(want);
  dup(fd);   // lowest free descriptor: want
  close(fd);
}

// In a child: apply c's redirections, then exec it. Never returns.
static void
exec_cmd(struct cmd *c)
{
  if(c->in){
    int fd = open(c->in, O_RDONLY);
    if(fd < 0){
      fprintf(2, "sh: cannot open %s\n", c->in);
      exit(1);
    }
    move_fd(fd, 0);
  }
  if(c->out){
    int fd = open(c->out, O_WRONLY | O_CREATE | O_TRUNC);
    if(fd < 0){
      fprintf(2, "sh: cannot create %s\n", c->out);
      exit(1);
    }
    move_fd(fd, 1);
  }
  c->argv[c->argc] = 0;
  exec(c->argv[0], c->argv);
  // Programs live in "/": try there too, so they run from any directory.
  if(strchr(c->argv[0], '/') == 0 && strlen(c->argv[0]) + 2 <= MAXPATH){
    char path[MAXPATH];
    path[0] = '/';
    strcpy(path + 1, c->argv[0]);
    exec(path, c->argv);
  }
  fprintf(2, "sh: cannot run %s\n", c->argv[0]);
  exit(1);
}

// Runs builtins; returns 1 if c was one.
static int
builtin(struct cmd *c)
{
  if(strcmp(c->argv[0], "cd") == 0){
    const char *dir = c->argc > 1 ? c->argv[1] : "/";
    if(chdir(dir) < 0)
      fprintf(2, "sh: cannot cd %s\n", dir);
    return 1;
  }
  if(strcmp(c->argv[0], "exit") == 0)
    exit(c->argc > 1 ? atoi(c->argv[1]) : 0);
  return 0;
}

// Runs the pipeline cmds[first..first+n) and waits for all of its processes.
static void
run_pipeline(struct cmd *first, int n)
{
  if(n == 1 && first->in == 0 && first->out == 0 && builtin(first))
    return;
  int prev_read = -1;   // read end of the pipe from the previous command
  int started = 0;
  for(int i = 0; i < n; i++){
    int p[2] = { -1, -1 };
    if(i + 1 < n && pipe(p) < 0){
      fprintf(2, "sh: pipe failed\n");
      break;
    }
    int pid = fork();
    if(pid == 0){
      if(prev_read >= 0)
        move_fd(prev_read, 0);
      if(p[1] >= 0){
        close(p[0]);
        move_fd(p[1], 1);
      }
      exec_cmd(&first[i]);
    }
    if(pid < 0)
      fprintf(2, "sh: fork failed\n");
    else
      started++;
    if(prev_read >= 0)
      close(prev_read);
    if(p[1] >= 0)
      close(p[1]);
    prev_read = p[0];
    if(pid < 0)
      break;
  }
  if(prev_read >= 0)
    close(prev_read);
  while(started > 0 && wait(0) >= 0)
    started--;
}

static void
run_line(char *s)
{
  int ntok = lex(s);
  if(ntok <= 0)
    return;
  int ncmd = parse(ntok);
  int start = 0;
  for(int i = 0; i < ncmd; i++){
    if(cmds[i].sep != SEP_PIPE){
      run_pipeline(&cmds[start], i - start + 1);
      start = i + 1;
    }
  }
}

int
main(void)
{
  struct stat st;
  int interactive = fstat(0, &st) == 0 && st.type == T_DEVICE;
  for(;;){
    if(interactive)
      write(2, "$ ", 2);
    gets(line, sizeof(line));
    if(line[0] == 0)
      break;   // end of input
    run_line(line);
  }
  return 0;
}
