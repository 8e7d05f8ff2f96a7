import { expect } from "chai";
import {
    decryptAdminBody,
    decryptSioStream,
    encryptAdminBody,
    encryptSioStream,
} from "../../provider/backends/minio/adminCrypto";
import { rejectionOf } from "../support/assertions";

/** Ciphertexts from madmin-go's encrypt_test.go (decryptDataTests); madmin encrypted zero-filled plaintexts. */
const madminVectors = {
    emptyPasswordEmptyData: {
        password: "",
        data: "828aa81599df0651c0461adb82283e8b89956baee9f6e719947ef9cddc849028001dc9d3ac0938f66b07bacc9751437e1985f8a9763c240e81",
    },
    emptyPassword256Bytes: {
        password: "",
        data: "1793c71df6647860437134073c15688cbb15961dc0758c7ee1225e66e79c724c00d790dba9c671eae89da2c736d858286ac9bd027abacc6443" +
            "0375cd41b63b67c070c7fba475a8dd66ae65ba905176c48cbe6f734fc74df87343d8ccff54bada4aeb0a04bd021633ebe6c4768e23f5dea142" +
            "561d4fe3f90ed59d13dc5fb3a585dadec1742325291b9c81692bdd3420b2428127f8195e0ecd9a1c9237712ed67af7339fbbf7ff3ee1c516e1" +
            "f81e69d933e057b30997e7274a2c9698e07c39f0e8d6818858f34c8191871b5a52bea9061806bd029024bfc1d9c1f230904968d6c9e10fddcb" +
            "c006ba97356ff243570fd96df07dd6894e215a6b24c4ed730369519289ebd877aff6ccbd2265985e4ab1a2b7930bab9cfb767b97348a639ddf" +
            "8db81bf5151da7e8f3d9638a1b86eb1dd78cc6a526f10a414c78638f",
    },
    thirtyTwoBytes: {
        password: `xPl.8/rhR"Q_1xLt`,
        data: "b5c016e93b84b473fc8a37af94936563630c36d6df1841d23a86ee51ca161f9e00ac19116b32f643ff6a56a212b265d8c56" +
            "195bb0d12ce199e13dfdc5272f80c1564da2c6fc2fa18da91d8062de02af5cdafea491c6f3cae1f",
        plaintextLength: 32,
    },
    twoHundredFiftySixBytes: {
        password: `7h5oU4$te{;K}fgqlI^]`,
        data: "c58edf7cfd557b6b655de6f48b1a3049d8d049dadb3a7bfa9ac9ccbb5baf37ec00f83086a26f43b7d6bc9075ad0" +
            "38bf5741f118d502ebe94165e4072ba7f98535d6b1e3b6ae67a98115d146d9b4d90e4df4ae82df9cfa17ed7cd42" +
            "465181559f7ddf09c98beec521bb4478e0cb73c4e0827af8688ff4e7a07327a10d5a180035e6ddb16d974a85257" +
            "981cd9e0360a20f7b4d653190267dfb241148f018ae180568042e864b9e1b5bc05425a3abc2b0324f50c72d5679" +
            "8f924405dfc0f8523f4bb564ed65af8e1b1c82a7a0640552ecf81985d95d0993d99172592ddc1393dfa63e8f0b3" +
            "d744b2cc4b73384ca4693f0c1aec0e9b00e85f2937e891105d67da8f59c14ca96608e0425c42f9c1e7c2a8b3413" +
            "e1381784f9cfe01de7c47cea1f8d7a7d88f5d4aca783cf55332b47f957a6b9a65269d7eb606b877b",
        plaintextLength: 256,
    },
};

/** The AES-128-GCM entries of sio-go v0.3.1's test_vectors.json: small fragment sizes exercise multi-fragment streams. */
const sioStreamVectors = [
    { fragmentSize: 16, key: "00000000000000000000000000000000", nonce: "0000000000000000", associatedData: "", plaintext: "", ciphertext: "e0247a864e783cecb1f7996c13cd3f64" },
    { fragmentSize: 16, key: "10000000000000000000000000000000", nonce: "0000000000000000", associatedData: "", plaintext: "", ciphertext: "0ea5336db7013554c07aa43b369e5655" },
    { fragmentSize: 16, key: "10000000000000000000000000000000", nonce: "1000000000000000", associatedData: "", plaintext: "", ciphertext: "a52763497d2e64ee49bf4c72dc6881e7" },
    { fragmentSize: 16, key: "10000000000000000000000000000000", nonce: "1000000000000000", associatedData: "00", plaintext: "", ciphertext: "2d9ede532b1f5f034e22375d816f76c2" },
    { fragmentSize: 16, key: "10000000000000000000000000000000", nonce: "1000000000000000", associatedData: "00", plaintext: "00", ciphertext: "61ed193d12a2adf6f1c41f31de4ead6c5c" },
    { fragmentSize: 16, key: "20000000000000000000000000000000", nonce: "1000000000000000", associatedData: "00", plaintext: "00", ciphertext: "4b6e93acd3e4602b9c1ad49da985d1f872" },
    { fragmentSize: 16, key: "00000000000000000000000000000000", nonce: "0000000000000000", associatedData: "0000000000000000", plaintext: "0000000000000000", ciphertext: "4661d681f92680d7a307c7a036700edde4697a1f3ba7e01b" },
    { fragmentSize: 16, key: "00000000000000000000000000000001", nonce: "2000000000000000", associatedData: "1000000000000000", plaintext: "00000000000000000000000000000000", ciphertext: "8501dcfa461a0860ef9933655b1e59a9e7db1ed363b6ff80f219ca986dca9ce2" },
    { fragmentSize: 16, key: "0a7a6d49e4ad042f1e1ffa168849d651", nonce: "4a9ba500be169ab3", associatedData: "d40703848d887a01664c30734fa370581c5f8f6d0ea7bfdd", plaintext: "424d6d60d7e08b3b41e968fc4557b93c", ciphertext: "aa4b4ca42d587b98d0d5f009c0efbc4fcaaefdc1c79a3cfe07801ed8c708d259" },
    { fragmentSize: 16, key: "10000000000000000000000000000000", nonce: "0000000000000002", associatedData: "", plaintext: "0000000000000000000000000000000000", ciphertext: "691deb7b9ccbee91f48d12c7ad5fe3cd4e1e5e7d394f06b91228ec9a5dd2456ac7de9502a0b4010fb1ee1db94e940458fb" },
    { fragmentSize: 16, key: "20000000000000000000000000000000", nonce: "2000000000000000", associatedData: "00", plaintext: "0000000000000000000000000000000000000000000000000000000000000000", ciphertext: "f58d8fef7ac7782a4361a79c07f5e6c4672d8a45e6cb9ef67cb7177897358deb8d338d313d44f78e0b68a3723d7ca0fe5f62aa8af0a72e508f5d5f8491ecedb2" },
    { fragmentSize: 16, key: "000102030405060708090a0b0c0d0e0f", nonce: "0001020304050607", associatedData: "0102030405060708090a0b0c0d0e0f10", plaintext: "0000000000000000000000000000000000000000000000000000000000000000", ciphertext: "beffe57efbdadb693b5545d58454ba746c5362c6f37b65da457d85bfe6af8972cfea267b03f14aedf25e7501e88c0d79f5440d0ac49e5c4fdaab4dfac9aec4d3" },
    { fragmentSize: 17, key: "67fc3ffd5353a432a6cbc982007606c8", nonce: "6958a70a975e32c6", associatedData: "", plaintext: "", ciphertext: "076243570112d32362c1d9e4ab4096ca" },
    { fragmentSize: 17, key: "31dd758d120fd5d30063921a21f723be", nonce: "d3794fe387018e32", associatedData: "1d838b6e861ea7576de110e08818de82a27337a99db7b95aa95c3347971ad4cfa0ef0960d6645f5a64f88c7d", plaintext: "d0ae0d85e93ed6be853ded2031643116a03215b4fda224d2986d7233039aa47e91b686f4", ciphertext: "a6fe911b94e0b25a25bf6da71f28ad6a6b6920be01589e9194226f77c164606545d5cbdb76c99415b468c54517f5a8bc8dc8ac13b1b4285fe36f37f7884d5e4bfb32ecef56b4026bf02bfb1d4fce222e01ef9db9" },
];

const hex = (text: string) => Buffer.from(text, "hex");


describe("MinIO admin body encryption", function () {
    // argon2id with 64 MiB takes a few hundred milliseconds per call.
    this.timeout(60_000);

    describe("madmin-go test vectors", () => {
        for (const [name, vector] of Object.entries({
            thirtyTwoBytes: madminVectors.thirtyTwoBytes,
            twoHundredFiftySixBytes: madminVectors.twoHundredFiftySixBytes,
        })) {
            it(`decrypts ${name} to zero bytes`, async () => {
                const plaintext = await decryptAdminBody(vector.password, hex(vector.data));
                expect(plaintext.equals(Buffer.alloc(vector.plaintextLength))).to.equal(true);
            });
        }

        it("rejects the empty-password vectors with an explanation (hash-wasm refuses empty argon2id passwords)", async () => {
            for (const vector of [madminVectors.emptyPasswordEmptyData, madminVectors.emptyPassword256Bytes]) {
                const error = await rejectionOf(decryptAdminBody(vector.password, hex(vector.data)));
                expect(error.message).to.match(/non-empty password/);
            }
        });

        it("fails to decrypt a madmin vector with a wrong password", async () => {
            const vector = madminVectors.thirtyTwoBytes;
            const error = await rejectionOf(decryptAdminBody("not-the-password", hex(vector.data)));
            expect(error.message).to.match(/not authentic/);
        });

        it("fails when one ciphertext byte is flipped", async () => {
            const vector = madminVectors.twoHundredFiftySixBytes;
            const tampered = hex(vector.data);
            tampered[tampered.length - 40] ^= 0x01;
            const error = await rejectionOf(decryptAdminBody(vector.password, tampered));
            expect(error.message).to.match(/not authentic/);
        });
    });

    describe("sio-go stream test vectors (AES-128-GCM)", () => {
        sioStreamVectors.forEach((vector, index) => {
            it(`vector ${index}: ${vector.plaintext.length / 2} bytes in fragments of ${vector.fragmentSize}`, () => {
                const sealed = encryptSioStream("aes-128-gcm", hex(vector.key), hex(vector.nonce), hex(vector.plaintext),
                    hex(vector.associatedData), vector.fragmentSize);
                expect(sealed.toString("hex")).to.equal(vector.ciphertext);
                const opened = decryptSioStream("aes-128-gcm", hex(vector.key), hex(vector.nonce), hex(vector.ciphertext),
                    hex(vector.associatedData), vector.fragmentSize);
                expect(opened.toString("hex")).to.equal(vector.plaintext);
            });
        });

        it("detects a stream whose final fragment was cut off", () => {
            const vector = sioStreamVectors[10];
            const withoutFinalFragment = hex(vector.ciphertext).subarray(0, 32);
            expect(() => decryptSioStream("aes-128-gcm", hex(vector.key), hex(vector.nonce), withoutFinalFragment,
                hex(vector.associatedData), vector.fragmentSize)).to.throw();
        });
    });

    describe("round trips", () => {
        const password = "minio-secret-key-123";
        const sizes = [0, 1, 16383, 16384, 16385, 3 * 16384 + 7];

        for (const algorithm of [0, 1, 2] as const) {
            it(`algorithm ${algorithm} round-trips ${sizes.join(", ")} bytes`, async () => {
                for (const size of sizes) {
                    const plaintext = Buffer.alloc(size);
                    for (let i = 0; i < size; i++) plaintext[i] = (i * 31 + 7) & 0xff;
                    const encrypted = await encryptAdminBody(password, plaintext, { algorithm });
                    expect(encrypted[32]).to.equal(algorithm);
                    const fragments = Math.max(1, Math.ceil(size / 16384));
                    expect(encrypted.length).to.equal(32 + 1 + 8 + size + 16 * fragments);
                    const decrypted = await decryptAdminBody(password, encrypted);
                    expect(decrypted.equals(plaintext), `size ${size}`).to.equal(true);
                }
            });
        }

        it("defaults to argon2id + AES-256-GCM, with this process's salt for the password and a fresh nonce each time", async () => {
            const plaintext = Buffer.from('{"secretKey":"s3cr3t-value","status":"enabled"}');
            const first = await encryptAdminBody(password, plaintext);
            const second = await encryptAdminBody(password, plaintext);
            expect(first[32]).to.equal(0);
            expect(first.subarray(0, 32).equals(second.subarray(0, 32))).to.equal(true);
            expect(first.subarray(33, 41).equals(second.subarray(33, 41))).to.equal(false);
            expect(first.equals(second)).to.equal(false);
        });

        it("is deterministic for a fixed salt and nonce, and places them in the header", async () => {
            const salt = Buffer.alloc(32, 0xab);
            const nonce = Buffer.alloc(8, 0xcd);
            const plaintext = Buffer.from("hello");
            const first = await encryptAdminBody(password, plaintext, { salt, nonce, algorithm: 2 });
            const second = await encryptAdminBody(password, plaintext, { salt, nonce, algorithm: 2 });
            expect(first.equals(second)).to.equal(true);
            expect(first.subarray(0, 32).equals(salt)).to.equal(true);
            expect(first[32]).to.equal(2);
            expect(first.subarray(33, 41).equals(nonce)).to.equal(true);
        });

        for (const algorithm of [0, 1, 2] as const) {
            it(`algorithm ${algorithm} rejects a wrong password`, async () => {
                const encrypted = await encryptAdminBody(password, Buffer.from("payload"), { algorithm });
                const error = await rejectionOf(decryptAdminBody("wrong-password", encrypted));
                expect(error.message).to.match(/not authentic/).and.match(/secret key/);
            });
        }

        it("PBKDF2 (id 2) accepts an empty password, as madmin does", async () => {
            const encrypted = await encryptAdminBody("", Buffer.from("x"), { algorithm: 2 });
            expect((await decryptAdminBody("", encrypted)).toString()).to.equal("x");
        });
    });

    describe("one PBKDF2 key per process and password for what we send (issue 11)", () => {
        /** Runs `body` counting the PBKDF2 derivations it starts (node:crypto's pbkdf2, as adminCrypto calls it). */
        async function countingPbkdf2<T>(body: () => Promise<T>): Promise<{ result: T; derivations: number }> {
            const crypto = require("node:crypto");
            const original = crypto.pbkdf2;
            let derivations = 0;
            crypto.pbkdf2 = (...args: unknown[]) => { derivations += 1; return original.apply(crypto, args); };
            try {
                return { result: await body(), derivations };
            } finally {
                crypto.pbkdf2 = original;
            }
        }
        const pbkdf2 = { algorithm: 2 } as const;

        it("derives the key once for many bodies, sent at once or one after another, each with its own nonce", async () => {
            const secret = `secret-${Math.random()}`;
            const bodies = Array.from({ length: 8 }, (_, i) => Buffer.from(JSON.stringify({ user: `u${i}`, secretKey: "x".repeat(40) })));
            const { result: sealed, derivations } = await countingPbkdf2(async () => {
                const atOnce = await Promise.all(bodies.slice(0, 5).map((body) => encryptAdminBody(secret, body, pbkdf2)));
                const later: Buffer[] = [];
                for (const body of bodies.slice(5)) later.push(await encryptAdminBody(secret, body, pbkdf2));
                return [...atOnce, ...later];
            });
            expect(derivations, "PBKDF2 runs").to.equal(1);
            const salts = new Set(sealed.map((body) => body.subarray(0, 32).toString("hex")));
            const nonces = new Set(sealed.map((body) => body.subarray(33, 41).toString("hex")));
            expect(salts.size, "salts").to.equal(1);
            expect(nonces.size, "nonces").to.equal(sealed.length);
            // The server derives the key from the salt in each body; reading them here needs no new derivation.
            const { result: opened, derivations: again } = await countingPbkdf2(() => Promise.all(sealed.map((body) => decryptAdminBody(secret, body))));
            expect(again).to.equal(0);
            opened.forEach((body, i) => expect(body.equals(bodies[i]), `body ${i}`).to.equal(true));
        });

        it("gives another password its own salt and key", async () => {
            const [a, b] = await Promise.all([`a-${Math.random()}`, `b-${Math.random()}`].map((secret) => encryptAdminBody(secret, Buffer.from("{}"), pbkdf2)));
            expect(a.subarray(0, 32).equals(b.subarray(0, 32))).to.equal(false);
        });

        it("decrypts a body with any other salt (as the server's own) by deriving from that salt", async () => {
            const secret = `secret-${Math.random()}`;
            await encryptAdminBody(secret, Buffer.from("warm"), pbkdf2);
            const fromElsewhere = await encryptAdminBody(secret, Buffer.from("elsewhere"), { ...pbkdf2, salt: Buffer.alloc(32, 0x5a) });
            const { result, derivations } = await countingPbkdf2(() => decryptAdminBody(secret, fromElsewhere));
            expect(result.toString()).to.equal("elsewhere");
            expect(derivations).to.be.at.most(1);
            expect((await rejectionOf(decryptAdminBody("wrong-password", fromElsewhere))).message).to.match(/not authentic/);
        });
    });

    describe("input checks", () => {
        it("rejects a salt or nonce of the wrong size", async () => {
            expect((await rejectionOf(encryptAdminBody("pw", Buffer.from("x"), { salt: Buffer.alloc(16) }))).message)
                .to.match(/salt must be 32 bytes/);
            expect((await rejectionOf(encryptAdminBody("pw", Buffer.from("x"), { nonce: Buffer.alloc(12) }))).message)
                .to.match(/nonce must be 8 bytes/);
        });

        it("rejects bodies that are too short or carry an unknown algorithm id", async () => {
            expect((await rejectionOf(decryptAdminBody("pw", Buffer.from("{}")))).message).to.match(/too short/);
            const unknownId = Buffer.alloc(32 + 1 + 8 + 16);
            unknownId[32] = 7;
            expect((await rejectionOf(decryptAdminBody("pw", unknownId))).message).to.match(/unknown algorithm id 0x07/);
        });
    });
});
