// Machine-mode set-up, run once on every hart before main(): give supervisor mode
// all of memory (PMP), delegate traps and interrupts to it, arm the Sstc timer, and
// drop to supervisor mode at main() with paging off.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

void main(void);

// entry.S gives each hart 4096 bytes of this as its boot stack.
__attribute__((aligned(16))) char stack0[4096 * NCPU];

void start(void) {
  // mret will "return" to main() in supervisor mode (privileged spec 3.3.2).
  uint64 mstatus = csr_read(mstatus);
  mstatus = (mstatus & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  csr_write(mstatus, mstatus);
  csr_write(mepc, (uint64)main);

  // Paging stays off until kvminithart().
  csr_write(satp, 0);

  // Delegate every exception and interrupt to supervisor mode (privileged spec 3.1.8),
  // and let supervisor mode take external, timer and software interrupts.
  csr_write(medeleg, 0xffff);
  csr_write(mideleg, 0xffff);
  csr_set(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);

  // PMP (privileged spec 3.7): one top-of-range entry covering the whole physical
  // address space with R, W and X; without it S and U mode may touch nothing.
  csr_write(pmpaddr0, 0x3fffffffffffffUL);
  csr_write(pmpcfg0, 0xf);  // A = TOR, X W R

  // Timer: Sstc lets supervisor mode program its own compare register, stimecmp,
  // which raises a supervisor timer interrupt directly. STCE turns it on, TM lets
  // S-mode read `time`.
  csr_set(CSR_MENVCFG, MENVCFG_STCE);
  csr_set(mcounteren, MCOUNTEREN_TM);
  csr_write(CSR_STIMECMP, r_time() + TICK_INTERVAL);

  // cpuid() reads the hart id from tp.
  w_tp(csr_read(mhartid));

  asm volatile("mret");
}
