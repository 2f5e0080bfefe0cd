/*
 * stuck-wfi: a program that never reports. It waits for an interrupt with every interrupt
 * disabled, so it can never wake up and never writes tohost. A runner must not count
 * that as a pass (isa.test.ts expects a non-zero exit status).
 */
#include "harness.h"

  .text
  .globl test_main
test_main:
  CHECK(1)
  csrw mie, zero
1:
  wfi
  j 1b
