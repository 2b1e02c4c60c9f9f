import { printBundleSizes } from "./bundleSizes";
console.log(await printBundleSizes());
