import { chromium } from "playwright-core";
for (const args of [[], ["--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions", "--disable-software-rasterizer"], ["--disable-gpu", "--single-process", "--no-zygote"]]) {
const t0 = Date.now(); const lap = (s) => console.log(JSON.stringify(args), s, Date.now() - t0);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args }); lap("launch");
const a = await b.newPage(); lap("newpage");
await a.goto("http://127.0.0.1:35011/"); lap("goto");
const c = await b.newPage(); lap("newpage2");
await c.goto("http://127.0.0.1:35011/"); lap("goto2");
await b.close(); lap("bclose");
}
