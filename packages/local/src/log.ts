/** Where the emulators report what fails inside them: their own output, not the product's logger. */
export type EmulatorLog = (message: string, details: Record<string, unknown>) => void;

export const consoleLog: EmulatorLog = (message, details) => console.error(message, details);
