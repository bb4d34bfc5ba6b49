/**
 * Where the providers connect: the process environment, or a sandbox the CLI started. The engine
 * asks for it only when a stage needs the platforms, and closes it when the run is done with them.
 */
export interface Environment {
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export type Connect = () => Promise<Environment>;
