/** Test support for builder tests: starts a built process command the way a runtime would, and writes Python packages. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface StartedProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Children still running; `killStarted` in an `afterEach` so a failed assertion never leaves one behind. */
const started = new Set<ChildProcess>();

export function killStarted(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/** Runs `command` with `sh -c` in `dir` (a minimal PATH, as an instance gets) and waits until it answers on $PORT. */
export async function startBuiltProcess(
  dir: string,
  command: string,
  env: Readonly<Record<string, string>> = {},
): Promise<StartedProcess> {
  const port = await freePort();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: dir,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fetch(url);
      break;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null)
        throw new Error(`process did not start: ${output}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/**
 * A PEP 517 build backend in the tree itself (`requires = []`), so pip builds the package with no index and no
 * network: it writes a pure wheel of the module with one console script.
 */
const inTreeBackend = `import base64, hashlib, os, zipfile
NAME, VERSION, MODULE, SCRIPT = open("package.txt").read().split()
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = f"{NAME}-{VERSION}.dist-info"
    files = {f"{MODULE}.py": open(f"{MODULE}.py", "rb").read(),
             f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n".encode(),
             f"{dist}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
             f"{dist}/entry_points.txt": f"[console_scripts]\\n{SCRIPT} = {MODULE}:main\\n".encode()}
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{dist}/RECORD,,")
        archive.writestr(f"{dist}/RECORD", "\\n".join(record) + "\\n")
    return name
`;

/** A module whose `main()` serves `greeting` over HTTP on $PORT (what gunicorn does for a real app). */
function servingModule(greeting: string): string {
  return `import http.server, os
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ${JSON.stringify(`${greeting}\n`)}.encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
def main():
    http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
`;
}

/**
 * Writes a Python project to `dir`: `pyproject.toml` with the in-tree backend, and `<module>.py` whose console script
 * `<script>` serves `greeting`.
 */
export async function writePythonPackage(
  dir: string,
  spec: { name: string; module: string; script: string; greeting: string },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.txt'), `${spec.name} 1.0 ${spec.module} ${spec.script}\n`);
  await writeFile(join(dir, 'slipway_test_backend.py'), inTreeBackend);
  await writeFile(join(dir, `${spec.module}.py`), servingModule(spec.greeting));
  await writeFile(
    join(dir, 'pyproject.toml'),
    `[build-system]\nrequires = []\nbuild-backend = "slipway_test_backend"\nbackend-path = ["."]\n\n[project]\nname = "${spec.name}"\nversion = "1.0"\n\n[project.scripts]\n${spec.script} = "${spec.module}:main"\n`,
  );
}

/** Pip settings for a build that must not reach any index: only the wheels in `wheelsDir`. */
export function offlinePipEnv(wheelsDir?: string): Record<string, string> {
  return {
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_INDEX: '1',
    ...(wheelsDir === undefined ? {} : { PIP_FIND_LINKS: wheelsDir }),
  };
}
