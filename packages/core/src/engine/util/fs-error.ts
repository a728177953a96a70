import { UngreedyError, type ErrorCode } from '../../contract/errors/errors.js';

const ERRNO_CODES: Readonly<Record<string, { code: ErrorCode; problem: string; fix: string }>> = {
  EACCES: { code: 'UNG_ERR_FS_PERMISSION', problem: 'permission was denied', fix: 'Fix: change its permissions or owner, or choose a path you may use.' },
  EPERM: { code: 'UNG_ERR_FS_PERMISSION', problem: 'the operation is not permitted', fix: 'Fix: change its permissions or owner, or choose a path you may use.' },
  EROFS: { code: 'UNG_ERR_FS_READ_ONLY', problem: 'its file system is read-only', fix: 'Fix: point output.dir (or the cache folder) at a writable disk.' },
  ENOSPC: { code: 'UNG_ERR_FS_NO_SPACE', problem: 'the disk is full', fix: 'Fix: free space or use a larger disk, then resume with `ungreedy run --resume <runDir>`.' },
  EDQUOT: { code: 'UNG_ERR_FS_NO_SPACE', problem: 'the disk quota is used up', fix: 'Fix: free space or use a larger disk, then resume with `ungreedy run --resume <runDir>`.' },
  EISDIR: { code: 'UNG_ERR_FS_IS_FOLDER', problem: 'it is a folder', fix: 'Fix: name a file, not a folder.' },
  ENOTDIR: { code: 'UNG_ERR_FS_IS_FOLDER', problem: 'a part of it is a file, not a folder', fix: 'Fix: check the path.' },
};

/** Whether `err` is a Node.js system error (it has a string errno `code`). */
export function isErrnoError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}

/**
 * A coded error for a file-system failure the user can fix (permission, read-only or full disk, a folder
 * where a file belongs; docs/errors.md UNG_ERR_FS_*), naming the path and the fix, with the raw error as
 * `cause`. Any other error comes back unchanged, so callers can `throw codedFsError(err, ...)` in a catch.
 * `action` says what was being done: `write run folder`, `read config file`.
 *
 * @example
 * try { writeFileSync(file, text); } catch (err) { throw codedFsError(err, file, 'write'); }
 */
export function codedFsError(err: unknown, path?: string, action = 'use'): unknown {
  if (!isErrnoError(err)) return err;
  const known = ERRNO_CODES[err.code!];
  if (known === undefined) return err;
  const where = path ?? err.path ?? '(unknown path)';
  return new UngreedyError(
    known.code,
    `ungreedy must be able to ${action} ${where}, but ${known.problem} (${err.code} in ${err.syscall ?? 'a file operation'}). ${known.fix}`,
    { path: where, errno: err.code },
    { cause: err },
  );
}
