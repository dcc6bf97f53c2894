#!/usr/bin/env node
/**
 * Packages editors/vscode as a .vsix that `code --install-extension` accepts:
 *
 *   node scripts/package-vscode.mjs [--out file.vsix]      (npm run package:vscode)
 *
 * The client is bundled with esbuild (vscode-languageclient comes from the repository's
 * node_modules), so the extension folder needs no install of its own. The .vsix is the
 * zip layout VS Code reads — `[Content_Types].xml`, `extension.vsixmanifest` and the files
 * under `extension/` — written here rather than by @vscode/vsce, which brings a large tree
 * of dependencies (and native optional ones) for what is a dozen files.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { crc32, deflateRawSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const folder = path.join(root, "editors", "vscode");
const manifest = JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8"));
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = path.resolve(
  values.out ?? path.join(folder, `${manifest.name}-${manifest.version}.vsix`),
);

const bundle = await build({
  entryPoints: [path.join(folder, "src", "extension.js")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  write: false,
  logLevel: "warning",
});

/** Path inside the .vsix → contents. */
const entries = new Map([
  ["[Content_Types].xml", contentTypes()],
  ["extension.vsixmanifest", vsixManifest()],
  ["extension/dist/extension.js", bundle.outputFiles[0].contents],
]);
for (const file of [
  "package.json",
  "README.md",
  "LICENSE",
  "language-configuration.json",
  "syntaxes/svc.tmLanguage.json",
]) {
  entries.set(`extension/${file}`, readFileSync(path.join(folder, file)));
}

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, zip(entries));
console.log(`wrote ${path.relative(process.cwd(), out)} (${entries.size} files)`);

function contentTypes() {
  return `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension=".json" ContentType="application/json" />
  <Default Extension=".js" ContentType="application/javascript" />
  <Default Extension=".md" ContentType="text/markdown" />
  <Default Extension=".vsixmanifest" ContentType="text/xml" />
  <Default Extension=".txt" ContentType="text/plain" />
  <Override PartName="/extension/LICENSE" ContentType="text/plain" />
</Types>
`;
}

function vsixManifest() {
  const escape = (text) =>
    String(text).replace(
      /[<>&"]/g,
      (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c],
    );
  return `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${escape(manifest.name)}" Version="${escape(manifest.version)}" Publisher="${escape(manifest.publisher)}" />
    <DisplayName>${escape(manifest.displayName)}</DisplayName>
    <Description xml:space="preserve">${escape(manifest.description)}</Description>
    <Tags>${escape(manifest.keywords.join(","))}</Tags>
    <Categories>${escape(manifest.categories.join(","))}</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${escape(manifest.engines.vscode)}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
      <Property Id="Microsoft.VisualStudio.Code.LocalizedLanguages" Value="" />
      <Property Id="Microsoft.VisualStudio.Services.GitHubFlavoredMarkdown" Value="true" />
    </Properties>
    <License>extension/LICENSE</License>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code" />
  </Installation>
  <Dependencies />
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE" Addressable="true" />
  </Assets>
</PackageManifest>
`;
}

/** A zip archive (deflate, UTF-8 names) of `files`: name → string or bytes. */
function zip(files) {
  const local = [];
  const central = [];
  let offset = 0;
  // 1980-01-01 00:00: fixed, so the same sources give the same bytes.
  const dosTime = 0;
  const dosDate = (1 << 5) | 1;
  for (const [name, contents] of files) {
    const data = Buffer.isBuffer(contents) ? contents : Buffer.from(contents);
    const packed = deflateRawSync(data, { level: 9 });
    const nameBytes = Buffer.from(name, "utf8");
    const checksum = crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    header.writeUInt16LE(0x0800, 6); // names are UTF-8
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(dosTime, 10);
    header.writeUInt16LE(dosDate, 12);
    header.writeUInt32LE(checksum, 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    local.push(header, nameBytes, packed);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(dosTime, 12);
    entry.writeUInt16LE(dosDate, 14);
    entry.writeUInt32LE(checksum, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    // extra, comment, disk, internal and external attributes: all zero
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += header.length + nameBytes.length + packed.length;
  }
  const centralSize = central.reduce((n, part) => n + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, ...central, end]);
}
