/** Where the console lives on the hub's origin. */
export const CONSOLE_BASE_PATH = '/console';

/** True for a path the console serves (the federation routes these to the console, the rest to the hub). */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_BASE_PATH || pathname.startsWith(`${CONSOLE_BASE_PATH}/`);
}
