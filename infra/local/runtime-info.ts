import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What a running `npm start` tells other local tools (`npm run admin -- … --local`): its table, DynamoDB
 * Local's endpoint (a new port each start) and the master key that seals secrets locally. Written to
 * `<LOCAL_DIR>/runtime.json` (mode 0600) once DynamoDB Local answers, removed when `npm start` stops.
 */
export interface LocalRuntimeInfo {
  tableName: string;
  dynamodbEndpoint: string;
  masterKeyFile: string;
  /** The `npm start` process. */
  pid: number;
}

export const RUNTIME_INFO_FILE = 'runtime.json';

export const runtimeInfoFile = (dir: string) => join(resolve(dir), RUNTIME_INFO_FILE);

export function writeRuntimeInfo(dir: string, info: LocalRuntimeInfo): () => void {
  const file = runtimeInfoFile(dir);
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** The running `npm start`'s table and endpoint, or an error saying to start it. */
export function readRuntimeInfo(dir: string): LocalRuntimeInfo {
  const file = runtimeInfoFile(dir);
  if (!existsSync(file)) {
    throw new Error(`No ${file}: start the local service first (npm start), then run this again`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as LocalRuntimeInfo;
}
