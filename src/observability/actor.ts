import os from 'node:os';

/** Who is acting, for logs and the audit trail: the OS user, or the uid where there is no name. */
export function currentActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid without a passwd entry (containers run like this) has no name.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}
