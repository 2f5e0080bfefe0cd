// exec(): replace the current process's memory with an ELF64 program, and the exec
// system call that copies the path and arguments in from user space.
//
// The new address space, from 0 up: the program's PT_LOAD segments (page aligned,
// allocated now), one guard page (mapped without U), one stack page with argv on it.
// p->sz is the top of the stack; the heap grows lazily from there.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"
#include "elf.h"
#include "abi.h"

static int flags2perm(uint32 flags) {
  int perm = 0;
  if (flags & ELF_PROG_FLAG_EXEC)
    perm |= PTE_X;
  if (flags & ELF_PROG_FLAG_WRITE)
    perm |= PTE_W;
  return perm;
}

// Read filesz bytes at file offset off into user memory at va (already mapped).
static int loadseg(pagetable_t pagetable, uint64 va, struct inode *ip, uint off, uint filesz) {
  for (uint i = 0; i < filesz; i += PGSIZE) {
    uint64 pa = walkaddr(pagetable, va + i);
    if (pa == 0)
      panic("loadseg: page not mapped");
    uint n = filesz - i < PGSIZE ? filesz - i : PGSIZE;
    if (readi(ip, 0, pa, off + i, n) != n)
      return -1;
  }
  return 0;
}

// Load the program's segments into pagetable, keeping *szp at the end of what is
// allocated so far (so the caller can free it). 0, or -1 on a bad or unreadable file
// or when memory runs out.
static int loadprogram(pagetable_t pagetable, struct inode *ip, struct elfhdr *elf,
                       uint64 *szp) {
  for (int i = 0; i < elf->phnum; i++) {
    struct proghdr ph;
    uint off = elf->phoff + i * sizeof(ph);
    if (readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      return -1;
    if (ph.type != ELF_PROG_LOAD)
      continue;
    if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr)
      return -1;
    if (ph.vaddr % PGSIZE != 0 || ph.vaddr + ph.memsz > TRAPFRAME)
      return -1;
    uint64 newsz = uvmalloc(pagetable, *szp, ph.vaddr + ph.memsz, flags2perm(ph.flags));
    if (newsz == 0)
      return -1;
    *szp = newsz;
    if (loadseg(pagetable, ph.vaddr, ip, ph.off, ph.filesz) < 0)
      return -1;
  }
  return 0;
}

// Push the argument strings and then argv[] (NULL-terminated) onto the stack whose
// top is sp and whose lowest usable address is stackbase. Returns the new sp (16-byte
// aligned, pointing at argv[0]), or 0 if the arguments do not fit.
static uint64 pushargs(pagetable_t pagetable, uint64 sp, uint64 stackbase, char **argv,
                       int *argcp) {
  uint64 uargv[MAXARG + 1];
  int argc;
  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      return 0;
    uint64 len = strlen(argv[argc]) + 1;
    if (sp - stackbase < len + 16)
      return 0;
    sp = (sp - len) & ~(uint64)15;  // RISC-V psABI: sp stays 16-byte aligned
    if (copyout(pagetable, sp, argv[argc], len) < 0)
      return 0;
    uargv[argc] = sp;
  }
  uargv[argc] = 0;
  uint64 bytes = (argc + 1) * sizeof(uint64);
  if (sp - stackbase < bytes + 16)
    return 0;
  sp = (sp - bytes) & ~(uint64)15;
  if (copyout(pagetable, sp, (char *)uargv, bytes) < 0)
    return 0;
  *argcp = argc;
  return sp;
}

// Run the program at path with arguments argv (kernel strings). On success the
// process continues in the new program and exec returns argc (which lands in a0);
// on failure the old program is untouched and exec returns -1.
int exec(char *path, char **argv) {
  struct proc *p = myproc();
  struct inode *ip = namei(path);
  if (ip == 0)
    return -1;
  ilock(ip);

  struct elfhdr elf;
  pagetable_t pagetable = 0;
  uint64 sz = 0;
  if (readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    goto bad;
  if ((pagetable = proc_pagetable(p)) == 0)
    goto bad;
  if (loadprogram(pagetable, ip, &elf, &sz) < 0 || sz == 0)
    goto bad;
  iunlockput(ip);
  ip = 0;

  // Guard page, then the stack page, above the program.
  sz = PGROUNDUP(sz);
  uint64 top = uvmalloc(pagetable, sz, sz + (USERSTACK + 1) * PGSIZE, PTE_W);
  if (top == 0)
    goto bad;
  sz = top;
  uvmclear(pagetable, sz - (USERSTACK + 1) * PGSIZE);
  uint64 stackbase = sz - USERSTACK * PGSIZE;

  int argc = 0;
  uint64 sp = pushargs(pagetable, sz, stackbase, argv, &argc);
  if (sp == 0)
    goto bad;

  // The point of no return: switch the process to the new image.
  char *last = path;
  for (char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  pagetable_t oldpagetable = p->pagetable;
  uint64 oldsz = p->sz;
  p->pagetable = pagetable;
  p->sz = sz;
  p->ustack = stackbase;
  p->trapframe->epc = elf.entry;
  p->trapframe->sp = sp;
  p->trapframe->a1 = sp;  // argv
  proc_freepagetable(oldpagetable, oldsz);
  return argc;  // becomes a0

bad:
  if (pagetable)
    proc_freepagetable(pagetable, sz);
  if (ip)
    iunlockput(ip);
  return -1;
}

// exec(path, argv): copy the path and each argument string into kernel pages.
uint64 sys_exec(void) {
  char path[MAXPATH];
  char *argv[MAXARG + 1];
  int ok = 0;
  uint64 uargv;

  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  argaddr(1, &uargv);
  memset(argv, 0, sizeof(argv));
  for (int i = 0;; i++) {
    if (i >= MAXARG)
      goto done;
    uint64 uarg;
    if (fetchaddr(uargv + i * sizeof(uint64), &uarg) < 0)
      goto done;
    if (uarg == 0)
      break;
    if ((argv[i] = kalloc()) == 0)
      goto done;
    if (fetchstr(uarg, argv[i], PGSIZE) < 0)
      goto done;
  }
  ok = 1;

done:;
  int r = ok ? exec(path, argv) : -1;
  for (int i = 0; i < MAXARG && argv[i]; i++)
    kfree(argv[i]);
  return r;
}
