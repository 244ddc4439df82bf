/** aigw's version, the one place it is written (package.json is checked against it by a test). */
export const VERSION = '0.1.0';
