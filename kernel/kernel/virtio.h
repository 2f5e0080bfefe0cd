// Facts about virtio-mmio block devices, from the virtio 1.1 specification: the MMIO
// register map (4.2.2), the legacy-only registers (4.2.4), the device status bits
// (2.1), feature bits (5.2.3, 6), the split virtqueue structures (2.6) and the block
// request format (5.2.6). Used by virtio_disk.c; no code here.
#ifndef VIRTIO_H
#define VIRTIO_H

// 4.2.2: registers, as byte offsets from the device's base address. All are 32 bits.
#define VIRTIO_MMIO_MAGIC_VALUE         0x000 // reads "virt"
#define VIRTIO_MMIO_VERSION             0x004 // 1 = legacy interface, 2 = modern
#define VIRTIO_MMIO_DEVICE_ID           0x008 // 2 = block device, 0 = empty slot
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010 // 32 feature bits, chosen by ..._SEL
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE     0x028 // legacy only (4.2.4)
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_ALIGN         0x03c // legacy only
#define VIRTIO_MMIO_QUEUE_PFN           0x040 // legacy only: queue address / page size
#define VIRTIO_MMIO_QUEUE_READY         0x044 // modern only
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080 // modern only: the three queue parts
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090 // the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0 // the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100 // device-specific configuration

#define VIRTIO_MAGIC 0x74726976 // "virt" in little-endian byte order
#define VIRTIO_DEVICE_BLOCK 2

// 2.1: device status bits, written by the driver as initialisation progresses.
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

// 5.2.3: block device feature bits this driver refuses; 6: reserved feature bits.
#define VIRTIO_BLK_F_RO 5           // read-only disk
#define VIRTIO_BLK_F_SCSI 7
#define VIRTIO_BLK_F_CONFIG_WCE 11  // writeback toggle
#define VIRTIO_BLK_F_MQ 12          // several queues
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_F_INDIRECT_DESC 28   // 2.6.5.3: indirect descriptor tables
#define VIRTIO_F_EVENT_IDX 29       // 2.6.7: used_event / avail_event suppression
#define VIRTIO_F_VERSION_1 32       // required by the modern interface (bit 0 of word 1)

// 4.2.2 (InterruptStatus) and 4.2.3.4: why the device interrupted.
#define VIRTIO_INTR_USED_RING 1
#define VIRTIO_INTR_CONFIG 2

// 2.6.5: a buffer descriptor.
#define VIRTQ_DESC_F_NEXT 1   // the buffer continues in descriptor `next`
#define VIRTQ_DESC_F_WRITE 2  // the device writes this buffer (otherwise reads it)

struct virtq_desc {
  uint64 addr;  // physical address of the buffer
  uint32 len;
  uint16 flags;
  uint16 next;
};

// 2.6.6: the available ring, written by the driver.
struct virtq_avail {
  uint16 flags;
  uint16 idx;          // where the driver will put the next entry (mod queue size)
  uint16 ring[];       // heads of descriptor chains; followed by used_event (unused)
};

// 2.6.8: the used ring, written by the device.
struct virtq_used_elem {
  uint32 id;   // head of the finished descriptor chain
  uint32 len;  // bytes written into the chain's buffers
};

struct virtq_used {
  uint16 flags;
  uint16 idx;          // where the device will put the next entry (mod queue size)
  struct virtq_used_elem ring[];
};

// 5.2.6: a block request is a chain of three buffers: this header (device reads),
// the data (device reads for OUT, writes for IN) and one status byte (device writes).
#define VIRTIO_BLK_T_IN 0   // read from the disk
#define VIRTIO_BLK_T_OUT 1  // write to the disk

struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;  // in 512-byte units, whatever the block size
};

#define VIRTIO_BLK_S_OK 0

#endif
