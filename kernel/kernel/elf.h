// The parts of the ELF64 format exec() reads (System V ABI, ELF-64 Object File Format).
#ifndef ELF_H
#define ELF_H
#include "types.h"

#define ELF_MAGIC 0x464C457FU  // "\x7FELF" read as a little-endian uint32

struct elfhdr {
  uint32 magic;
  uchar ident[12];   // class, data, version, OS ABI, padding
  ushort type;
  ushort machine;
  uint32 version;
  uint64 entry;      // program entry point
  uint64 phoff;      // file offset of the program header table
  uint64 shoff;
  uint32 flags;
  ushort ehsize;
  ushort phentsize;
  ushort phnum;      // entries in the program header table
  ushort shentsize;
  ushort shnum;
  ushort shstrndx;
};

struct proghdr {
  uint32 type;
  uint32 flags;
  uint64 off;     // file offset of the segment
  uint64 vaddr;   // where it goes in memory
  uint64 paddr;
  uint64 filesz;  // bytes in the file
  uint64 memsz;   // bytes in memory (the rest is zero: .bss)
  uint64 align;
};

#define ELF_PROG_LOAD 1
#define ELF_PROG_FLAG_EXEC 1
#define ELF_PROG_FLAG_WRITE 2
#define ELF_PROG_FLAG_READ 4
#endif
