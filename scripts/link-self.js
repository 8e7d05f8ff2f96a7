// Lets the examples and test programs in this repository import the package by its published name,
// exactly as a user's program does.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
if (!fs.existsSync(path.join(root, "examples"))) return; // installed as a dependency: nothing to link
const link = path.join(root, "node_modules", "pulumi-bucket-replication");
try { fs.rmSync(link, { recursive: false, force: true }); } catch { /* absent */ }
fs.symlinkSync("..", link, "dir");
