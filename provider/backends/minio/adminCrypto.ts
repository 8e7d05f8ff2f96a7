/**
 * Encryption of MinIO admin API bodies, byte-compatible with madmin-go's EncryptData/DecryptData.
 *
 * Layout: salt[32] | algorithm id[1] | nonce[8] | sio-go v0.3.1 stream.
 * The key comes from the password (the secret key that signs the request) and the salt:
 *   0x00 argon2id (t=1, m=64 MiB, p=4) + AES-256-GCM
 *   0x01 argon2id + ChaCha20-Poly1305 (what madmin picks on machines without AES hardware)
 *   0x02 PBKDF2-SHA256 (8192 iterations) + AES-256-GCM (what madmin picks in FIPS mode)
 *
 * Deriving the key is most of the cost (PBKDF2 about 2-4 ms of CPU, argon2id hundreds), and the
 * server derives it again from the salt in each body. So what we send uses one random salt per process,
 * password and algorithm, and its key derived once; each body gets a fresh random nonce (sio-go then
 * numbers its fragments 0, 1, 2... under that nonce), so no two bodies share a fragment nonce under a key.
 *
 * Modules are required inside the functions: Pulumi's closure serializer may capture this code,
 * and it cannot serialize module-level handles.
 */
import type * as NodeCrypto from "node:crypto";

export type AdminBodyAlgorithm = 0 | 1 | 2;

export const argon2idAesGcm = 0;
export const argon2idChaCha20Poly1305 = 1;
export const pbkdf2AesGcm = 2;

export interface EncryptAdminBodyOptions {
    /** 32 bytes; when absent, this process's random salt for the password and algorithm. Only tests should fix it. */
    salt?: Uint8Array;
    /** 8 bytes; random when absent. Reusing a nonce with the same key breaks the encryption. */
    nonce?: Uint8Array;
    /** Defaults to 0 (argon2id + AES-256-GCM), which every MinIO server decrypts. */
    algorithm?: AdminBodyAlgorithm;
}

/** An AEAD that Node implements and sio-go streams use. AES-128-GCM is only here for sio-go's own test vectors. */
export type StreamCipherName = "aes-256-gcm" | "aes-128-gcm" | "chacha20-poly1305";

const saltLength = 32;
const streamNonceLength = 8;
const headerLength = saltLength + 1 + streamNonceLength;
const tagLength = 16;
/** sio-go's BufSize: the plaintext size of every fragment but the last. */
const defaultFragmentSize = 16384;
const finalFragmentFlag = 0x80;
const nonFinalFragmentFlag = 0x00;

const argon2idIterations = 1;
const argon2idMemoryKiB = 64 * 1024;
const argon2idParallelism = 4;
const pbkdf2Iterations = 8192;
const keyLength = 32;

/** Encrypts a request body the way madmin-go does, so that MinIO's admin handlers can decrypt it. */
export async function encryptAdminBody(
    password: string,
    plaintext: Uint8Array,
    options: EncryptAdminBodyOptions = {},
): Promise<Buffer> {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    const algorithm = options.algorithm ?? argon2idAesGcm;
    const salt = options.salt ?? processSalt(password, algorithm);
    const nonce = options.nonce ?? crypto.randomBytes(streamNonceLength);
    if (!isAdminBodyAlgorithm(algorithm)) {
        throw new Error(`encryptAdminBody: algorithm must be 0, 1 or 2, not ${String(algorithm)}.`);
    }
    if (salt.length !== saltLength) {
        throw new Error(`encryptAdminBody: the salt must be ${saltLength} bytes, not ${salt.length}.`);
    }
    if (nonce.length !== streamNonceLength) {
        throw new Error(`encryptAdminBody: the nonce must be ${streamNonceLength} bytes, not ${nonce.length}.`);
    }
    const key = await deriveAdminBodyKey(password, salt, algorithm);
    const stream = encryptSioStream(streamCipherOf(algorithm), key, nonce, plaintext);
    return Buffer.concat([salt, Buffer.from([algorithm]), nonce, stream]);
}

/** Decrypts a body that madmin-go or MinIO encrypted (any of the three algorithm ids). */
export async function decryptAdminBody(password: string, data: Uint8Array): Promise<Buffer> {
    if (data.length < headerLength + tagLength) {
        throw new Error(`decryptAdminBody: ${data.length} bytes is too short for an encrypted MinIO admin body ` +
            `(at least ${headerLength + tagLength}); the server probably answered in plain text.`);
    }
    const salt = data.subarray(0, saltLength);
    const algorithm = data[saltLength];
    const nonce = data.subarray(saltLength + 1, headerLength);
    if (!isAdminBodyAlgorithm(algorithm)) {
        throw new Error(`decryptAdminBody: unknown algorithm id 0x${algorithm.toString(16).padStart(2, "0")}; ` +
            "the body is not a MinIO admin body encrypted by madmin-go, or uses a newer format.");
    }
    const key = await deriveAdminBodyKey(password, salt, algorithm);
    try {
        return decryptSioStream(streamCipherOf(algorithm), key, nonce, data.subarray(headerLength));
    } catch (error) {
        throw new Error("decryptAdminBody: the body is not authentic. Either the password is wrong (MinIO uses the " +
            "secret key of the credentials that signed the request) or the data was corrupted: " + (error as Error).message);
    }
}

function isAdminBodyAlgorithm(id: number): id is AdminBodyAlgorithm {
    return id === argon2idAesGcm || id === argon2idChaCha20Poly1305 || id === pbkdf2AesGcm;
}

/** The salt of what this process sends with `password` and `algorithm`: random, drawn once. */
const processSalts = new Map<string, Buffer>();
/** Derived keys by algorithm, password digest and salt; the least recently used go beyond `maxCachedKeys`. */
const derivedKeys = new Map<string, Promise<Buffer>>();
const maxCachedKeys = 64;

function processSalt(password: string, algorithm: AdminBodyAlgorithm): Buffer {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    const id = `${algorithm}:${passwordDigest(password)}`;
    let salt = processSalts.get(id);
    if (!salt) processSalts.set(id, salt = crypto.randomBytes(saltLength));
    return salt;
}

/** Keys are cached under a digest of the password, so that the cache holds no copy of it. */
function passwordDigest(password: string): string {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    return crypto.createHash("sha256").update(password, "utf8").digest("hex");
}

/** The key for `salt`, derived once per process: concurrent callers share one derivation. */
function deriveAdminBodyKey(password: string, salt: Uint8Array, algorithm: AdminBodyAlgorithm): Promise<Buffer> {
    const id = `${algorithm}:${passwordDigest(password)}:${Buffer.from(salt).toString("hex")}`;
    let key = derivedKeys.get(id);
    if (key) {
        derivedKeys.delete(id); // the most recently used go last, the request keys among them
        derivedKeys.set(id, key);
    } else {
        key = deriveKey(password, salt, algorithm);
        key.catch(() => derivedKeys.delete(id));
        derivedKeys.set(id, key);
        if (derivedKeys.size > maxCachedKeys) derivedKeys.delete(derivedKeys.keys().next().value!);
    }
    return key;
}

async function deriveKey(password: string, salt: Uint8Array, algorithm: AdminBodyAlgorithm): Promise<Buffer> {
    if (algorithm === pbkdf2AesGcm) {
        const crypto = require("node:crypto") as typeof NodeCrypto;
        // Off the event loop, in libuv's thread pool.
        return new Promise((resolve, reject) => crypto.pbkdf2(Buffer.from(password, "utf8"), salt, pbkdf2Iterations, keyLength, "sha256",
            (error, key) => (error ? reject(error) : resolve(key))));
    }
    if (password.length === 0) {
        // hash-wasm refuses empty passwords; MinIO never has them (secret keys are at least 8 characters).
        throw new Error("MinIO admin body encryption with argon2id needs a non-empty password; " +
            "pass the secret key of the credentials that sign the admin request.");
    }
    const { argon2id } = require("hash-wasm") as typeof import("hash-wasm");
    const key = await argon2id({
        password: Buffer.from(password, "utf8"),
        salt,
        iterations: argon2idIterations,
        memorySize: argon2idMemoryKiB,
        parallelism: argon2idParallelism,
        hashLength: keyLength,
        outputType: "binary",
    });
    return Buffer.from(key);
}

function streamCipherOf(algorithm: AdminBodyAlgorithm): StreamCipherName {
    return algorithm === argon2idChaCha20Poly1305 ? "chacha20-poly1305" : "aes-256-gcm";
}

/**
 * sio-go stream encryption. The plaintext is cut into fragments of `fragmentSize` bytes; the last
 * one holds the remaining 1..fragmentSize bytes (0 for an empty plaintext) and is sealed with the
 * final flag, so truncation and reordering are detected. Exported for the stream's own test vectors.
 */
export function encryptSioStream(
    cipher: StreamCipherName,
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData: Uint8Array = new Uint8Array(0),
    fragmentSize: number = defaultFragmentSize,
): Buffer {
    const fragmentAad = firstAssociatedData(cipher, key, nonce, associatedData);
    const fragments: Buffer[] = [];
    let offset = 0;
    let sequence = 1;
    while (plaintext.length - offset > fragmentSize) {
        fragmentAad[0] = nonFinalFragmentFlag;
        fragments.push(seal(cipher, key, fragmentNonce(nonce, sequence), plaintext.subarray(offset, offset + fragmentSize), fragmentAad));
        offset += fragmentSize;
        sequence = nextSequence(sequence);
    }
    fragmentAad[0] = finalFragmentFlag;
    fragments.push(seal(cipher, key, fragmentNonce(nonce, sequence), plaintext.subarray(offset), fragmentAad));
    return Buffer.concat(fragments);
}

/** The inverse of encryptSioStream; throws when any fragment fails authentication or the stream is truncated. */
export function decryptSioStream(
    cipher: StreamCipherName,
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData: Uint8Array = new Uint8Array(0),
    fragmentSize: number = defaultFragmentSize,
): Buffer {
    const fragmentAad = firstAssociatedData(cipher, key, nonce, associatedData);
    const sealedFragmentSize = fragmentSize + tagLength;
    const fragments: Buffer[] = [];
    let offset = 0;
    let sequence = 1;
    while (ciphertext.length - offset > sealedFragmentSize) {
        fragmentAad[0] = nonFinalFragmentFlag;
        fragments.push(open(cipher, key, fragmentNonce(nonce, sequence), ciphertext.subarray(offset, offset + sealedFragmentSize), fragmentAad));
        offset += sealedFragmentSize;
        sequence = nextSequence(sequence);
    }
    if (ciphertext.length - offset < tagLength) {
        throw new Error("the encrypted stream is truncated");
    }
    fragmentAad[0] = finalFragmentFlag;
    fragments.push(open(cipher, key, fragmentNonce(nonce, sequence), ciphertext.subarray(offset), fragmentAad));
    return Buffer.concat(fragments);
}

/**
 * Every fragment is authenticated with flag || tag0, where tag0 seals nothing under sequence 0
 * with the caller's associated data: this binds that data to the stream at a fixed 17-byte cost.
 */
function firstAssociatedData(cipher: StreamCipherName, key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array): Buffer {
    if (nonce.length !== streamNonceLength) {
        throw new Error(`sio stream nonces are ${streamNonceLength} bytes, not ${nonce.length}.`);
    }
    const tag0 = seal(cipher, key, fragmentNonce(nonce, 0), new Uint8Array(0), associatedData);
    return Buffer.concat([Buffer.from([nonFinalFragmentFlag]), tag0]);
}

function fragmentNonce(nonce: Uint8Array, sequence: number): Buffer {
    const full = Buffer.alloc(streamNonceLength + 4);
    full.set(nonce, 0);
    full.writeUInt32LE(sequence, streamNonceLength);
    return full;
}

function nextSequence(sequence: number): number {
    if (sequence >= 0xffffffff) {
        throw new Error("the stream is too long for one key and nonce (sio-go limit); split the data.");
    }
    return sequence + 1;
}

type AeadCipher = NodeCrypto.CipherGCM;
type AeadDecipher = NodeCrypto.DecipherGCM;

function seal(cipher: StreamCipherName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    const aead = crypto.createCipheriv(cipher as NodeCrypto.CipherGCMTypes, key, nonce, { authTagLength: tagLength }) as AeadCipher;
    aead.setAAD(aad);
    return Buffer.concat([aead.update(plaintext), aead.final(), aead.getAuthTag()]);
}

function open(cipher: StreamCipherName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    const aead = crypto.createDecipheriv(cipher as NodeCrypto.CipherGCMTypes, key, nonce, { authTagLength: tagLength }) as AeadDecipher;
    aead.setAuthTag(sealed.subarray(sealed.length - tagLength));
    aead.setAAD(aad);
    return Buffer.concat([aead.update(sealed.subarray(0, sealed.length - tagLength)), aead.final()]);
}
