// Run by Node for Windows under Wine (test/stack/windows.test.ts): takes a card image's lock as cns
// does, says which lock it is and its process id, and holds it until it is killed.
import { pathToFileURL } from 'node:url';

const [, , root, image] = process.argv;
const { fileLocker } = await import(pathToFileURL(`${root}\\dist\\util\\flock.js`).href);
const { ImageLock } = await import(pathToFileURL(`${root}\\dist\\sim\\image.js`).href);
const lock = new ImageLock(image, 5000);
lock.acquire();
process.stdout.write(`held ${fileLocker() ? 'kernel' : 'pid-file'} ${process.pid}\n`);
setInterval(() => {}, 1000);
