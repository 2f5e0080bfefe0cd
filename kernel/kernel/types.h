// Fixed-width integer names used by the kernel, the user programs and mkfs.
#ifndef TYPES_H
#define TYPES_H
typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef long int64;
typedef uint64 pde_t;
typedef uint64 pte_t;
typedef uint64 *pagetable_t; // 512 PTEs
#endif
