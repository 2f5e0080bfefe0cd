/**
 * hugepages.ts: when an entry point starts itself again to get guest RAM on huge pages,
 * and with what environment.
 */
import assert from 'node:assert/strict';
import { hugePageEnv } from '../../emulator/hugepages';

describe('huge pages for guest RAM', () => {
  it('asks glibc for huge pages on Linux, keeping the other variables', () => {
    const env = hugePageEnv({ PATH: '/bin', HOME: '/h' }, 'linux');
    assert.deepEqual(env, { PATH: '/bin', HOME: '/h', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  });

  it('adds to tunables the user set', () => {
    const env = hugePageEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux');
    assert.equal(env?.GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('does not start again once asked, when the user chose, when opted out, or off Linux', () => {
    assert.equal(hugePageEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, 'linux'), undefined);
    assert.equal(hugePageEnv({ GLIBC_TUNABLES: 'a=1:glibc.malloc.hugetlb=0' }, 'linux'), undefined);
    assert.equal(hugePageEnv({ XV6EMU_HUGEPAGES: '0' }, 'linux'), undefined);
    assert.equal(hugePageEnv({}, 'darwin'), undefined);
    assert.equal(hugePageEnv({}, 'win32'), undefined);
  });
});
