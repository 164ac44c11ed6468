#!/usr/bin/python3
"""slowfs.py - a FUSE file system of sensor files that answer slowly, as
sensors on a slow bus do: `fast` at once, `slow` after one second (a 1-Wire
DS18B20 takes 750 ms), `stuck` and `stuck0`..`stuck7` never (a hung bus). Each holds one number in
milli-units, like a sysfs attribute. With SLOWFS_STATFS_DELAY=SECONDS in the environment, statfs()
of the mount takes that long (a stale NFS mount, for the filesystem collector). Runs in the
foreground until unmounted.

usage: slowfs.py MOUNTPOINT
"""
import errno
import os
import stat
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations  # Debian python3-fusepy

FILES = {"fast": b"1000\n", "slow": b"42000\n", "stuck": b"0\n"}
# stuck0..stuck7: more sensors on the hung bus, for a board with several
FILES.update({"stuck%d" % i: b"0\n" for i in range(8)})
NEVER = threading.Event()
STATFS_DELAY = float(os.environ.get("SLOWFS_STATFS_DELAY", "0"))


class SlowFS(Operations):
    def getattr(self, path, fh=None):
        now = time.time()
        if path == "/":
            return dict(st_mode=stat.S_IFDIR | 0o555, st_nlink=2, st_ctime=now, st_mtime=now, st_atime=now)
        name = path.lstrip("/")
        if name not in FILES:
            raise FuseOSError(errno.ENOENT)
        return dict(st_mode=stat.S_IFREG | 0o444, st_nlink=1, st_size=len(FILES[name]),
                    st_ctime=now, st_mtime=now, st_atime=now)

    def statfs(self, path):
        if STATFS_DELAY > 0:
            time.sleep(STATFS_DELAY)
        return dict(f_bsize=4096, f_frsize=4096, f_blocks=1024, f_bfree=512, f_bavail=512, f_files=64,
                    f_ffree=32, f_namemax=255)

    def readdir(self, path, fh):
        return [".", ".."] + list(FILES)

    def open(self, path, flags):
        return 0

    def read(self, path, size, offset, fh):
        name = path.lstrip("/")
        if name == "slow":
            time.sleep(1.0)
        elif name.startswith("stuck"):
            NEVER.wait()
        return FILES[name][offset:offset + size]


if __name__ == "__main__":
    # direct_io: every read reaches read() above, none is served from the
    # page cache
    FUSE(SlowFS(), sys.argv[1], foreground=True, nothreads=False, direct_io=True, ro=True)
