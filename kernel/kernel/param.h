// Compile-time limits of the kernel: table sizes shared by all subsystems.
#ifndef PARAM_H
#define PARAM_H
#define NCPU 8            // most harts the kernel will run on
#define NPROC 64          // entries in proc[]
#define NOFILE 16         // open files per process
#define NFILE 100         // open files in the whole system
#define NINODE 50         // in-memory inodes
#define NDEV 10           // device major numbers (devsw[] entries)
#define ROOTDEV 1         // device number of the root file system
#define NBUF 30           // blocks in the buffer cache
#define FSSIZE 2000       // blocks in the file system image
#define MAXOPBLOCKS 10    // most blocks one write() call hands to the disk at a time
#define USERSTACK 1       // pages of user stack exec() provides
#define TICK_INTERVAL 1000000  // timer ticks are this many `time` units (0.1 s on QEMU virt)
#endif
