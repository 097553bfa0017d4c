//! A thin VFS over SQLite's own `unix` VFS that coalesces the writer's WAL appends.
//!
//! SQLite writes each WAL frame with two `pwrite`s (the 24-byte frame header, then the page), so
//! a commit touching 15 pages makes 30 system calls, each unaligned with the OS page cache. This
//! shim holds a connection's contiguous WAL appends in a buffer and writes them with one
//! `pwrite` — **before** the commit becomes visible or returns:
//!
//! - right after the page of a commit frame (a frame header whose "database size" field is not
//!   zero) is written, so an I/O error fails that `COMMIT` as it would without the shim;
//! - whenever this thread's connection publishes a new WAL-index header (SQLite calls the
//!   database file's `xShmBarrier` between its two header copies; readers only trust a header
//!   whose copies agree), which covers every other path that ends a commit;
//! - before any read, sync, truncate, size query, file-control or close of the WAL, before a
//!   write that is not the next contiguous append, and when the buffer reaches 1 MiB.
//!
//! So the file holds exactly what SQLite believes it wrote whenever SQLite or another
//! connection could look, and durability is unchanged: `synchronous=NORMAL` issues no `fsync`
//! at commit either way, and a committed transaction's frames reach the OS before `COMMIT`
//! returns (a process crash keeps them). Files other than the main database and its WAL get
//! SQLite's own methods untouched. The raw engine of `posdesk bench` does not use this VFS.

use std::cell::RefCell;
use std::ffi::{CStr, c_int, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The name connections open the VFS by.
pub(crate) const NAME: &str = "posdesk-unix";
const NAME_C: &CStr = c"posdesk-unix";
/// The buffer is written out when it reaches this size.
const BUFFER_MAX: usize = 1 << 20;
/// The most one call of SQLite's own `xWrite` takes (its `unix` VFS writes at most 128 KiB − 1
/// bytes per call: it never needs more than a frame).
const WRITE_MAX: usize = 1 << 16;
/// A WAL frame header's size; bytes 4..8 are the database size after a commit frame, else 0.
const FRAME_HEADER: usize = 24;

struct Registered {
    real: *mut ffi::sqlite3_vfs,
    /// Where the shim's state starts inside a file object (after SQLite's own, 8-aligned).
    offset: usize,
}
// SAFETY: both fields are written once at registration and only read afterwards; the VFS
// objects they point to live for the rest of the process.
unsafe impl Send for Registered {}
unsafe impl Sync for Registered {}

static REGISTERED: OnceLock<Result<Registered, String>> = OnceLock::new();

/// Registers the VFS (once per process); connections then open with [`NAME`].
pub(crate) fn register() -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            // SAFETY: plain SQLite C API calls; the VFS object is leaked on purpose, as
            // SQLite keeps a pointer to it for the life of the process.
            unsafe {
                let real = ffi::sqlite3_vfs_find(std::ptr::null());
                if real.is_null() {
                    return Err("SQLite has no default VFS".to_owned());
                }
                let real_size = usize::try_from((*real).szOsFile)
                    .map_err(|_| "the default VFS has a negative file size".to_owned())?;
                let offset = real_size.div_ceil(8) * 8;
                let size = c_int::try_from(offset + std::mem::size_of::<Shim>())
                    .map_err(|_| "file object too large".to_owned())?;
                let mut vfs = *real;
                vfs.szOsFile = size;
                vfs.pNext = std::ptr::null_mut();
                vfs.zName = NAME_C.as_ptr();
                vfs.xOpen = Some(open);
                let vfs = Box::into_raw(Box::new(vfs));
                let rc = ffi::sqlite3_vfs_register(vfs, 0);
                if rc != ffi::SQLITE_OK {
                    return Err(format!("registering the VFS failed: {rc}"));
                }
                Ok(Registered { real, offset })
            }
        })
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

fn registered() -> &'static Registered {
    match REGISTERED.get() {
        Some(Ok(r)) => r,
        // `open` is only reachable through a registered VFS.
        _ => unreachable!("the posdesk VFS is used before it is registered"),
    }
}

/// The shim's part of a file object, after SQLite's own `unix` file.
struct Shim {
    real: *const ffi::sqlite3_io_methods,
    /// Only for a WAL file: appends not yet written.
    wal: Option<WalBuffer>,
}

struct WalBuffer {
    bytes: Vec<u8>,
    /// File offset of `bytes[0]`.
    start: i64,
    /// The last write was a commit frame's header: its page comes next.
    commit_page_next: bool,
    /// A write-out that failed where no error could be returned (`xShmBarrier`); the next
    /// call that can report it does.
    failed: c_int,
}

thread_local! {
    /// WAL files of this thread's connections that hold buffered appends.
    static BUFFERED: RefCell<Vec<*mut ffi::sqlite3_file>> = const { RefCell::new(Vec::new()) };
}

/// # Safety
/// `f` is a file object allocated by SQLite for this VFS and opened by [`open`].
unsafe fn shim<'a>(f: *mut ffi::sqlite3_file) -> &'a mut Shim {
    // SAFETY: the caller's contract; `open` wrote a `Shim` at this offset.
    unsafe { &mut *f.cast::<u8>().add(registered().offset).cast::<Shim>() }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    f: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let r = registered();
    // SAFETY: SQLite's own VFS opens its file object at the start of ours.
    unsafe {
        let Some(real_open) = (*r.real).xOpen else {
            return ffi::SQLITE_CANTOPEN;
        };
        let rc = real_open(r.real, name, f, flags, out_flags);
        let wal = flags & ffi::SQLITE_OPEN_WAL != 0;
        let main = flags & ffi::SQLITE_OPEN_MAIN_DB != 0;
        if rc != ffi::SQLITE_OK || (*f).pMethods.is_null() || !(wal || main) {
            return rc;
        }
        f.cast::<u8>().add(r.offset).cast::<Shim>().write(Shim {
            real: (*f).pMethods,
            wal: wal.then(|| WalBuffer {
                bytes: Vec::new(),
                start: 0,
                commit_page_next: false,
                failed: ffi::SQLITE_OK,
            }),
        });
        (*f).pMethods = &METHODS;
        rc
    }
}

/// Writes out `f`'s buffered appends, if any.
///
/// # Safety
/// `f` is a file opened by [`open`].
unsafe fn flush(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: the caller's contract.
    let s = unsafe { shim(f) };
    let Some(w) = s.wal.as_mut() else {
        return ffi::SQLITE_OK;
    };
    if w.failed != ffi::SQLITE_OK {
        return std::mem::replace(&mut w.failed, ffi::SQLITE_OK);
    }
    if w.bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    BUFFERED.with(|b| b.borrow_mut().retain(|p| *p != f));
    // SAFETY: `real` is SQLite's method table for this file object.
    let Some(real_write) = (unsafe { *s.real }).xWrite else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    let mut rc = ffi::SQLITE_OK;
    let mut offset = w.start;
    for chunk in w.bytes.chunks(WRITE_MAX) {
        // `WRITE_MAX` fits a `c_int`.
        let len = chunk.len() as c_int;
        // SAFETY: `chunk` is `len` readable bytes.
        rc = unsafe { real_write(f, chunk.as_ptr().cast(), len, offset) };
        if rc != ffi::SQLITE_OK {
            break;
        }
        offset += i64::from(len);
    }
    w.bytes.clear();
    rc
}

unsafe extern "C" fn write(
    f: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite calls with a file it opened through `open`, and `amount` readable bytes.
    unsafe {
        let s = shim(f);
        let (Some(w), Ok(n)) = (s.wal.as_mut(), usize::try_from(amount)) else {
            return match (*s.real).xWrite {
                Some(real) => real(f, data, amount, offset),
                None => ffi::SQLITE_IOERR_WRITE,
            };
        };
        if w.failed != ffi::SQLITE_OK {
            return std::mem::replace(&mut w.failed, ffi::SQLITE_OK);
        }
        let end = w.start + w.bytes.len() as i64;
        if !w.bytes.is_empty() && offset != end {
            let rc = flush(f);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        let s = shim(f);
        let Some(w) = s.wal.as_mut() else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        if w.bytes.is_empty() {
            w.start = offset;
            BUFFERED.with(|b| b.borrow_mut().push(f));
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), n);
        w.bytes.extend_from_slice(bytes);
        let commit_page = std::mem::replace(
            &mut w.commit_page_next,
            n == FRAME_HEADER && bytes[4..8] != [0; 4],
        );
        if commit_page || w.bytes.len() >= BUFFER_MAX {
            return flush(f);
        }
        ffi::SQLITE_OK
    }
}

/// Forwards a method to SQLite's own, writing out the WAL buffer first.
macro_rules! forward {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*), $missing:expr) => {
        unsafe extern "C" fn $name(f: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: SQLite calls with a file it opened through `open`.
            unsafe {
                let rc = flush(f);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                match (*shim(f).real).$method {
                    Some(real) => real(f $(, $arg)*),
                    None => $missing,
                }
            }
        }
    };
}

forward!(read, xRead, (buf: *mut c_void, amount: c_int, offset: i64), ffi::SQLITE_IOERR_READ);
forward!(truncate, xTruncate, (size: i64), ffi::SQLITE_IOERR_TRUNCATE);
forward!(sync, xSync, (flags: c_int), ffi::SQLITE_IOERR_FSYNC);
forward!(file_size, xFileSize, (size: *mut i64), ffi::SQLITE_IOERR_FSTAT);
forward!(lock, xLock, (level: c_int), ffi::SQLITE_IOERR_LOCK);
forward!(unlock, xUnlock, (level: c_int), ffi::SQLITE_IOERR_UNLOCK);
forward!(check_reserved, xCheckReservedLock, (out: *mut c_int), ffi::SQLITE_IOERR_CHECKRESERVEDLOCK);
forward!(file_control, xFileControl, (op: c_int, arg: *mut c_void), ffi::SQLITE_NOTFOUND);
forward!(shm_map, xShmMap, (page: c_int, size: c_int, extend: c_int, out: *mut *mut c_void), ffi::SQLITE_IOERR_SHMMAP);
forward!(shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int), ffi::SQLITE_IOERR_SHMLOCK);
forward!(shm_unmap, xShmUnmap, (delete: c_int), ffi::SQLITE_OK);
forward!(fetch, xFetch, (offset: i64, amount: c_int, out: *mut *mut c_void), ffi::SQLITE_OK);
forward!(unfetch, xUnfetch, (offset: i64, p: *mut c_void), ffi::SQLITE_OK);

unsafe extern "C" fn close(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite calls with a file it opened through `open`; it is not used afterwards, so
    // the shim's state is dropped here.
    unsafe {
        let flushed = flush(f);
        let s = shim(f);
        let rc = match (*s.real).xClose {
            Some(real) => real(f),
            None => ffi::SQLITE_OK,
        };
        std::ptr::drop_in_place(s);
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            rc
        }
    }
}

unsafe extern "C" fn sector_size(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: as above.
    unsafe {
        match (*shim(f).real).xSectorSize {
            Some(real) => real(f),
            None => 4096,
        }
    }
}

unsafe extern "C" fn device_characteristics(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: as above.
    unsafe {
        match (*shim(f).real).xDeviceCharacteristics {
            Some(real) => real(f),
            None => 0,
        }
    }
}

/// A connection on this thread is publishing a WAL-index header (or reading one): its WAL's
/// appends must be in the file first.
unsafe extern "C" fn shm_barrier(f: *mut ffi::sqlite3_file) {
    let pending = BUFFERED.with(|b| std::mem::take(&mut *b.borrow_mut()));
    for wal in pending {
        // SAFETY: a WAL file registers here only while it holds bytes, and unregisters when it
        // is written out (before it closes), so the pointer is live.
        unsafe {
            let rc = flush(wal);
            if rc != ffi::SQLITE_OK {
                tracing::error!(code = rc, "writing buffered WAL frames failed");
                if let Some(w) = shim(wal).wal.as_mut() {
                    w.failed = rc;
                }
            }
        }
    }
    // SAFETY: SQLite calls with a file it opened through `open`.
    unsafe {
        if let Some(real) = (*shim(f).real).xShmBarrier {
            real(f);
        }
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use rusqlite::{Connection, OpenFlags};

    fn temp_dir(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("posdesk-vfs-{what}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn writer(path: &Path) -> Connection {
        super::register().unwrap();
        let c = Connection::open_with_flags_and_vfs(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            super::NAME,
        )
        .unwrap();
        c.execute_batch(crate::sqlite::PRAGMAS).unwrap();
        c
    }

    /// What a process crash leaves: the database and WAL files as the OS holds them now (no
    /// shared-memory index), opened with SQLite's own VFS, which recovers from the WAL.
    fn after_crash(dir: &Path, path: &Path) -> Connection {
        let copy = dir.join("crashed.db");
        std::fs::copy(path, &copy).unwrap();
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        std::fs::copy(&wal, dir.join("crashed.db-wal")).unwrap();
        let c = Connection::open(&copy).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        c
    }

    fn rows(c: &Connection) -> Vec<(i64, Vec<u8>)> {
        let mut st = c.prepare("SELECT id, body FROM t ORDER BY id").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Every commit is in the files before `COMMIT` returns: another connection (SQLite's own
    /// VFS) sees each one at once, and so does recovery from a crash right after it, for
    /// one-page and many-page transactions alike.
    #[test]
    fn each_commit_reaches_the_files_before_it_returns() {
        let dir = temp_dir("commit");
        let path = dir.join("t.db");
        let w = writer(&path);
        w.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);")
            .unwrap();
        let r = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut expected = Vec::new();
        for i in 0..120_i64 {
            // Every seventh transaction is large: rows of 10 KiB span several overflow pages.
            let size = if i % 7 == 0 { 10_240 } else { 40 };
            let body: Vec<u8> = (0..size).map(|k| (k as i64 * 31 + i) as u8).collect();
            w.execute_batch("BEGIN IMMEDIATE").unwrap();
            w.execute(
                "INSERT INTO t (id, body) VALUES (?1, ?2)",
                rusqlite::params![i, body],
            )
            .unwrap();
            w.execute_batch("COMMIT").unwrap();
            expected.push((i, body));
            assert_eq!(rows(&r), expected, "reader after commit {i}");
            if i % 20 == 0 {
                assert_eq!(
                    rows(&after_crash(&dir, &path)),
                    expected,
                    "recovery after commit {i}"
                );
            }
        }
        drop((r, w));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A transaction larger than the page cache spills frames before its commit and writes
    /// some pages twice (SQLite then rewrites the frame checksums at commit); one rolled back
    /// after spilling leaves nothing behind. Both recover intact.
    #[test]
    fn spilled_and_rolled_back_transactions_recover_intact() {
        let dir = temp_dir("spill");
        let path = dir.join("t.db");
        let w = writer(&path);
        w.execute_batch(
            "PRAGMA cache_size=4; CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
        )
        .unwrap();
        let body = |i: i64, round: u8| -> Vec<u8> {
            (0..600).map(|k| (k as u8) ^ (i as u8) ^ round).collect()
        };
        let insert_all = |round: u8| {
            w.execute_batch("BEGIN IMMEDIATE").unwrap();
            for i in 0..400_i64 {
                w.execute(
                    "INSERT OR REPLACE INTO t (id, body) VALUES (?1, ?2)",
                    rusqlite::params![i, body(i, round)],
                )
                .unwrap();
            }
            // The same pages again, late in the transaction, after they were spilled.
            for i in 0..400_i64 {
                w.execute(
                    "UPDATE t SET body = ?2 WHERE id = ?1",
                    rusqlite::params![i, body(i, round.wrapping_add(1))],
                )
                .unwrap();
            }
        };
        insert_all(1);
        w.execute_batch("COMMIT").unwrap();
        let expected: Vec<(i64, Vec<u8>)> = (0..400).map(|i| (i, body(i, 2))).collect();
        assert_eq!(rows(&after_crash(&dir, &path)), expected);

        insert_all(7);
        w.execute_batch("ROLLBACK").unwrap();
        assert_eq!(rows(&w), expected);
        assert_eq!(rows(&after_crash(&dir, &path)), expected);

        w.execute("DELETE FROM t WHERE id >= 200", []).unwrap();
        let kept = expected[..200].to_vec();
        assert_eq!(rows(&after_crash(&dir, &path)), kept);
        drop(w);
        let again = Connection::open(&path).unwrap();
        assert_eq!(rows(&again), kept);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
