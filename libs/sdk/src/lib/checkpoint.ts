import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where a consumer keeps the position of the last event it finished with. */
export interface CheckpointStore {
  load(): Promise<string | undefined>;
  save(position: string): Promise<void>;
}

/** A checkpoint in memory: lost with the process (tests, one-off reads). */
export class MemoryCheckpoint implements CheckpointStore {
  constructor(private position?: string) {}
  async load() {
    return this.position;
  }
  async save(position: string) {
    this.position = position;
  }
}

/** A checkpoint in a file, replaced atomically (write a temporary file, then rename over it). */
export class FileCheckpoint implements CheckpointStore {
  constructor(private readonly path: string) {}

  async load(): Promise<string | undefined> {
    try {
      const text = (await readFile(this.path, 'utf8')).trim();
      return text === '' ? undefined : text;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async save(position: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${position}\n`);
    await rename(temporary, this.path);
  }
}
