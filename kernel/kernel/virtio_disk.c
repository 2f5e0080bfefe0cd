// Driver for the virtio-mmio block device at VIRTIO0, QEMU virt's first virtio slot.
//
// The device speaks one of two register interfaces, and the driver reads the Version
// register to find out which (virtio 1.1, 4.2.2 and 4.2.4):
//   version 1 (legacy, QEMU's default): the driver tells the device its page size and
//     gives the queue as one page frame number; the device expects the descriptor
//     table, the available ring and, at the next QueueAlign boundary, the used ring.
//   version 2 (modern, -global virtio-mmio.force-legacy=false): the driver gives the
//     three parts' addresses separately, must accept VIRTIO_F_VERSION_1 and must see
//     FEATURES_OK stick before going on.
// The driver lays out its single queue the legacy way in both cases, so the two differ
// only in how the addresses are handed over.
//
// Each request is a chain of three descriptors (header, data, status byte; 5.2.6).
// The caller sleeps on its buffer until the interrupt handler finds the chain in the
// used ring; several requests may be in flight at once.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "defs.h"
#include "fs.h"
#include "buf.h"
#include "virtio.h"

#define QSIZE 16               // descriptors in the queue (a power of two, 2.6): 5 requests
#define QALIGN PGSIZE          // legacy used-ring alignment we ask for (QueueAlign)
#define NO_DESC 0xffff         // "no descriptor" in the free list

// The queue's memory: descriptor table at the start, available ring right after it,
// used ring at the next QALIGN boundary (2.6.2, the legacy layout). Kernel memory is
// mapped one-to-one, so these addresses are also the physical ones the device uses.
static uchar qmem[2 * QALIGN] __attribute__((aligned(QALIGN)));
#define AVAIL_OFFSET (QSIZE * sizeof(struct virtq_desc))
#define USED_OFFSET QALIGN

// Per request: the buffer being transferred, the status byte the device writes and
// the request header. Indexed by the chain's first descriptor.
struct request {
  struct buf *b;
  volatile uchar status;
  struct virtio_blk_req hdr;
};

static struct {
  struct spinlock lock;    // guards everything below and the queue memory
  int version;             // 1 legacy, 2 modern
  struct virtq_desc *desc;
  struct virtq_avail *avail;
  volatile struct virtq_used *used;
  uint16 freelist;         // free descriptors, linked through desc[].next
  uint16 nfree;
  uint16 used_seen;        // used->idx up to which completions have been handled
  struct request req[QSIZE];
} disk;

static inline uint32
reg_read(int off)
{
  return *(volatile uint32 *)(VIRTIO0 + off);
}

static inline void
reg_write(int off, uint32 val)
{
  *(volatile uint32 *)(VIRTIO0 + off) = val;
}

// 3.1.1 step 4: read the 64 feature bits, keep those this driver can live with.
static void
negotiate_features(void)
{
  uint64 features;
  reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  features = reg_read(VIRTIO_MMIO_DEVICE_FEATURES);
  if (disk.version == 2) {
    reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    features |= (uint64)reg_read(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    if ((features & (1UL << VIRTIO_F_VERSION_1)) == 0)
      panic("virtio_disk_init: modern device without VERSION_1");
  }
  features &= ~(1UL << VIRTIO_BLK_F_RO);
  features &= ~(1UL << VIRTIO_BLK_F_SCSI);
  features &= ~(1UL << VIRTIO_BLK_F_CONFIG_WCE);
  features &= ~(1UL << VIRTIO_BLK_F_MQ);
  features &= ~(1UL << VIRTIO_F_ANY_LAYOUT);
  features &= ~(1UL << VIRTIO_F_INDIRECT_DESC);
  features &= ~(1UL << VIRTIO_F_EVENT_IDX);
  // Of the transport bits above 31 (6: packed ring, IOMMU platform access, in-order
  // use...) this driver knows only VERSION_1.
  features &= 0xffffffffUL | (1UL << VIRTIO_F_VERSION_1);
  reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (uint32)features);
  if (disk.version == 2) {
    // 4.2.4: the legacy interface has only the first feature word.
    reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (uint32)(features >> 32));
  }
}

// 4.2.3.2 (modern) and 4.2.4 (legacy): give queue 0 to the device.
static void
setup_queue(void)
{
  uint64 base = (uint64)qmem;

  reg_write(VIRTIO_MMIO_QUEUE_SEL, 0);
  if (disk.version == 2 ? reg_read(VIRTIO_MMIO_QUEUE_READY)
                        : reg_read(VIRTIO_MMIO_QUEUE_PFN))
    panic("virtio_disk_init: queue 0 already in use");
  uint32 max = reg_read(VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (max < QSIZE)
    panic("virtio_disk_init: queue too small");
  reg_write(VIRTIO_MMIO_QUEUE_NUM, QSIZE);

  if (disk.version == 1) {
    reg_write(VIRTIO_MMIO_QUEUE_ALIGN, QALIGN);
    reg_write(VIRTIO_MMIO_QUEUE_PFN, base / PGSIZE);
  } else {
    uint64 avail = base + AVAIL_OFFSET, used = base + USED_OFFSET;
    reg_write(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32)base);
    reg_write(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32)(base >> 32));
    reg_write(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32)avail);
    reg_write(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32)(avail >> 32));
    reg_write(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32)used);
    reg_write(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32)(used >> 32));
    reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
  }
}

// Called once, on the boot hart, before any process runs.
void
virtio_disk_init(void)
{
  initlock(&disk.lock, "virtio_disk");

  if (reg_read(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MAGIC ||
      reg_read(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_DEVICE_BLOCK)
    panic("virtio_disk_init: no block device at VIRTIO0");
  disk.version = reg_read(VIRTIO_MMIO_VERSION);
  if (disk.version != 1 && disk.version != 2)
    panic("virtio_disk_init: unknown interface version");

  // 3.1.1: reset, then announce ourselves.
  uint32 status = 0;
  reg_write(VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  reg_write(VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_DRIVER;
  reg_write(VIRTIO_MMIO_STATUS, status);

  negotiate_features();
  if (disk.version == 2) {
    // Only the modern interface has FEATURES_OK; the device clears it to refuse.
    status |= VIRTIO_STATUS_FEATURES_OK;
    reg_write(VIRTIO_MMIO_STATUS, status);
    if ((reg_read(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
      panic("virtio_disk_init: features refused");
  } else {
    // 4.2.4: the legacy device needs the page size before the queue's PFN.
    reg_write(VIRTIO_MMIO_GUEST_PAGE_SIZE, PGSIZE);
  }

  memset(qmem, 0, sizeof(qmem));
  disk.desc = (struct virtq_desc *)qmem;
  disk.avail = (struct virtq_avail *)(qmem + AVAIL_OFFSET);
  disk.used = (volatile struct virtq_used *)(qmem + USED_OFFSET);
  disk.freelist = NO_DESC;
  for (int i = QSIZE - 1; i >= 0; i--) {
    disk.desc[i].next = disk.freelist;
    disk.freelist = i;
  }
  disk.nfree = QSIZE;
  disk.used_seen = 0;
  setup_queue();

  status |= VIRTIO_STATUS_DRIVER_OK;
  reg_write(VIRTIO_MMIO_STATUS, status);
  printf("virtio disk: %s interface\n", disk.version == 1 ? "legacy" : "modern");
}

// Take one descriptor off the free list. Caller holds disk.lock and has checked nfree.
static uint16
desc_get(void)
{
  uint16 d = disk.freelist;
  disk.freelist = disk.desc[d].next;
  disk.nfree--;
  return d;
}

// Return the chain starting at head to the free list and wake anyone waiting for room.
static void
chain_put(uint16 head)
{
  for (;;) {
    uint16 next = disk.desc[head].next;
    int more = disk.desc[head].flags & VIRTQ_DESC_F_NEXT;
    disk.desc[head].addr = 0;
    disk.desc[head].len = 0;
    disk.desc[head].flags = 0;
    disk.desc[head].next = disk.freelist;
    disk.freelist = head;
    disk.nfree++;
    if (!more)
      break;
    head = next;
  }
  wakeup(&disk.nfree);
}

// Read (write == 0) or write block b->blockno of the disk to or from b->data, sleeping
// until the device has finished. The caller holds b's sleep lock.
void
virtio_disk_rw(struct buf *b, int write)
{
  acquire(&disk.lock);
  while (disk.nfree < 3)
    sleep(&disk.nfree, &disk.lock);
  uint16 d0 = desc_get(), d1 = desc_get(), d2 = desc_get();

  struct request *r = &disk.req[d0];
  r->hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  r->hdr.reserved = 0;
  r->hdr.sector = (uint64)b->blockno * SECTORS_PER_BLOCK;
  r->status = 0xff; // anything but VIRTIO_BLK_S_OK until the device writes it
  r->b = b;

  disk.desc[d0].addr = (uint64)&r->hdr;
  disk.desc[d0].len = sizeof(r->hdr);
  disk.desc[d0].flags = VIRTQ_DESC_F_NEXT;
  disk.desc[d0].next = d1;

  disk.desc[d1].addr = (uint64)b->data;
  disk.desc[d1].len = BSIZE;
  disk.desc[d1].flags = VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE);
  disk.desc[d1].next = d2;

  disk.desc[d2].addr = (uint64)&r->status;
  disk.desc[d2].len = 1;
  disk.desc[d2].flags = VIRTQ_DESC_F_WRITE;
  disk.desc[d2].next = 0;

  b->disk = 1;

  // 2.6.13: put the head in the available ring, then publish it by bumping idx;
  // the fences keep the device from seeing idx before the entry and descriptors.
  disk.avail->ring[disk.avail->idx % QSIZE] = d0;
  __sync_synchronize();
  disk.avail->idx += 1;
  __sync_synchronize();
  reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, 0);

  while (b->disk)
    sleep(b, &disk.lock);

  if (r->status != VIRTIO_BLK_S_OK)
    panic("virtio_disk_rw: device reported an error");
  r->b = 0;
  chain_put(d0);
  release(&disk.lock);
}

// The device raised IRQ VIRTIO0_IRQ: hand every newly used chain back to its waiter.
void
virtio_disk_intr(void)
{
  acquire(&disk.lock);

  // 4.2.2 InterruptStatus/InterruptACK: acknowledge before walking the ring, so a
  // completion that arrives meanwhile raises a fresh interrupt instead of being lost.
  reg_write(VIRTIO_MMIO_INTERRUPT_ACK,
            reg_read(VIRTIO_MMIO_INTERRUPT_STATUS) &
                (VIRTIO_INTR_USED_RING | VIRTIO_INTR_CONFIG));
  __sync_synchronize();

  while (disk.used_seen != disk.used->idx) {
    __sync_synchronize();
    uint32 id = disk.used->ring[disk.used_seen % QSIZE].id;
    if (id >= QSIZE || disk.req[id].b == 0)
      panic("virtio_disk_intr: unknown chain");
    disk.req[id].b->disk = 0;
    wakeup(disk.req[id].b);
    disk.used_seen++;
  }

  release(&disk.lock);
}
