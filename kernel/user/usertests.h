// The cases of usertests, grouped by file: usertests_mem.c (sbrk, lazy allocation,
// bad addresses), usertests_fs.c (files, directories, pipes), usertests.c (processes,
// exec, and the table that lists them all).
#ifndef USERTESTS_H
#define USERTESTS_H

// usertests_mem.c
void sbrkbasic(void);
void sbrkmuch(void);
void sbrkdealloc(void);
void sbrkneg(void);
void sbrkfail(void);
void sbrkarg(void);
void sbrklast(void);
void sbrk8000(void);
void stacktest(void);
void argptest(void);
void copyin_bad(void);
void copyout_bad(void);
void copyinstr_bad(void);
void kernmem(void);
void MAXVAplus(void);
void sparsefork(void);

// usertests_fs.c
void pipe1(void);
void bigwrite(void);
void openiput(void);
void createdelete(void);
void unlinkread(void);
void linktest(void);
void dirtest(void);
void opentest(void);
void fourfiles(void);
void concreate(void);
void emptypath(void);
void diskfull(void);

#endif
