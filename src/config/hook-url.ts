/** A hook target given as a string: an http(s) URL is a webhook, anything else a shell command. */
export function isHookUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}
