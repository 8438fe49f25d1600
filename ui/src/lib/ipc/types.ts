// What the UI needs from a backend, shared by the client (./index.ts), the loader
// (./backend.ts) and the fake (./dev-fake.ts), so none of them imports another for its types.

import type { CommandArgs, CommandName, CommandResult } from './bindings/commands';

export type Unlisten = () => void;

/** Tauri's `invoke` and `listen`, or the dev fake, typed by the command list. */
export interface Backend {
  invoke<K extends CommandName>(cmd: K, args: CommandArgs<K>): Promise<CommandResult<K>>;
  listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten>;
}
