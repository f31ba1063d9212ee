// Lays out one platform package, @seam-mock/PLATFORM (e.g. linux-x64), in DIR: package.json
// with npm's os/cpu/libc fields from platforms.json, and the binary under bin/.
//   node npm/stage-platform.mjs VERSION PLATFORM BINARY DIR
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

const [version, platform, binary, dir] = process.argv.slice(2)
const spec = JSON.parse(readFileSync(new URL('platforms.json', import.meta.url), 'utf8'))[platform]
if (!spec || platform === '//') {
  console.error(`npm/platforms.json has no ${platform}`)
  process.exit(1)
}
mkdirSync(join(dir, 'bin'), { recursive: true })
const exe = join(dir, 'bin', basename(binary))
copyFileSync(binary, exe)
chmodSync(exe, 0o755)
const pkg = {
  name: `@seam-mock/${platform}`,
  version,
  description: `The seam-mock server binary for ${platform} (${spec.rust}); installed by the seam-mock package`,
  license: 'MIT',
  os: [spec.os],
  cpu: [spec.cpu],
  ...(spec.libc ? { libc: [spec.libc] } : {}),
  files: ['bin'],
  preferUnplugged: true,
}
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
