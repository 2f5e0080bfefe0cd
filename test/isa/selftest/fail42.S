/*
 * fail42: the harness's own failure path. It passes a few checks and then fails check 42
 * on purpose, so the runners can show that a failing test is reported with its number
 * (isa.test.ts on our emulator, test/full/isa-rebuild.test.ts on QEMU).
 */
#include "harness.h"

  .text
  .globl test_main
test_main:
  CHECK(1)
  li a0, 1
  EXPECT a0, 1
  CHECK(42)
  EXPECT a0, 2                 /* wrong on purpose */
  j pass
