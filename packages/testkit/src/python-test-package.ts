/** Python packages for tests that must not reach a package index: built by a backend inside the package itself. */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/** Builds the package in `packageDir` (written by `writePythonPackage`) into a wheel in `wheelsDir`, offline. */
export async function buildPythonWheel(packageDir: string, wheelsDir: string): Promise<void> {
  await mkdir(wheelsDir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    execFile(
      'python3',
      ['-c', `import slipway_test_backend as b; b.build_wheel(${JSON.stringify(wheelsDir)})`],
      { cwd: packageDir, timeout: 60_000 },
      (error) => (error === null ? resolve() : reject(new Error(`building the wheel failed: ${error.message}`))),
    );
  });
}
