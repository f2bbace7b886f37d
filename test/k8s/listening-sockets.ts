import { readdir, readFile, readlink } from "node:fs/promises";

/** A TCP socket in LISTEN state, as the kernel reports it in /proc/net/tcp{,6}. */
export interface ListeningSocket {
  readonly pid: number;
  /** Hex address as in procfs: "0100007F" is 127.0.0.1, "00000000" is 0.0.0.0. */
  readonly hexAddress: string;
  readonly port: number;
}

const LISTEN_STATE = "0A";

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  return inodes;
}

/** Listening TCP sockets of the given processes (Linux only; empty elsewhere). */
export async function listeningSockets(pids: readonly number[]): Promise<ListeningSocket[]> {
  const table = [
    ...(await readFile("/proc/net/tcp", "utf8").catch(() => "")).split("\n").slice(1),
    ...(await readFile("/proc/net/tcp6", "utf8").catch(() => "")).split("\n").slice(1),
  ];
  const sockets: ListeningSocket[] = [];
  for (const pid of pids) {
    const inodes = await socketInodes(pid);
    for (const row of table) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = row.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== LISTEN_STATE || !inode || !inodes.has(inode)) continue;
      const [hexAddress = "", hexPort = "0"] = local.split(":");
      sockets.push({ pid, hexAddress, port: Number.parseInt(hexPort, 16) });
    }
  }
  return sockets;
}

/** 127.0.0.1 as IPv4 or as an IPv4-mapped IPv6 address, in procfs hex. */
export function isLoopback(hexAddress: string): boolean {
  return hexAddress === "0100007F" || hexAddress === "0000000000000000FFFF00000100007F";
}
