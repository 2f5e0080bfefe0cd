// RISC-V definitions the kernel needs: CSR access, CSR bit fields and the Sv39 page
// table format (privileged spec, chapters 3, 4 and 10).
#ifndef RISCV_H
#define RISCV_H
#include "types.h"

// CSR access by name or number: csr_read(sstatus), csr_write(0x14d, x).
#define CSR_STR(x) #x
#define csr_read(csr) ({ uint64 v__; asm volatile("csrr %0, " CSR_STR(csr) : "=r"(v__)); v__; })
#define csr_write(csr, val) asm volatile("csrw " CSR_STR(csr) ", %0" : : "r"((uint64)(val)))
#define csr_set(csr, bits) asm volatile("csrs " CSR_STR(csr) ", %0" : : "r"((uint64)(bits)))
#define csr_clear(csr, bits) asm volatile("csrc " CSR_STR(csr) ", %0" : : "r"((uint64)(bits)))

// CSRs the assembler may not know by name.
#define CSR_MENVCFG 0x30a   // privileged spec 3.1.18
#define CSR_STIMECMP 0x14d  // Sstc extension

// mstatus / sstatus (privileged spec 3.1.6)
#define MSTATUS_MPP_MASK (3L << 11)
#define MSTATUS_MPP_S (1L << 11)
#define SSTATUS_SIE (1L << 1)   // supervisor interrupts enabled
#define SSTATUS_SPIE (1L << 5)  // SIE before the trap
#define SSTATUS_SPP (1L << 8)   // trap came from S-mode (1) or U-mode (0)
#define SSTATUS_SUM (1L << 18)  // S-mode may touch U pages (never set by this kernel)

// sie / sip bits (privileged spec 4.1.3)
#define SIE_SSIE (1L << 1)
#define SIE_STIE (1L << 5)
#define SIE_SEIE (1L << 9)

// menvcfg.STCE enables stimecmp (Sstc); mcounteren.TM lets S-mode read `time`.
#define MENVCFG_STCE (1L << 63)
#define MCOUNTEREN_TM (1L << 1)

// scause values (privileged spec 4.1.9)
#define SCAUSE_INTR (1L << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_ECALL_U 8
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

// satp: Sv39 mode and the root page table's physical page number (privileged spec 4.1.11)
#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)(pagetable)) >> 12))

static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline uint64 r_time(void) { return csr_read(time); }

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }

// Flush all TLB entries: after every page table change that removes or alters a mapping.
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero"); }

// Sv39 (privileged spec 4.4): three levels of 512 eight-byte PTEs, 9 VPN bits each.
#define PGSIZE 4096  // bytes per page (also in memlayout.h)
#define PGSHIFT 12
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(uint64)(PGSIZE - 1))
#define PX(level, va) ((((uint64)(va)) >> (PGSHIFT + 9 * (level))) & 0x1FF)

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
#define PTE_LEAF_BITS (PTE_R | PTE_W | PTE_X)  // any of these makes the PTE a leaf

#define PA2PTE(pa) ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)
#endif
