// The plugin's gRPC service. @pulumi/pulumi's provider server (`provider.main`) hosts it, which gives
// construct (components whose children register with the engine), invoke, schema and the process's life;
// its resource calls are replaced here because that server has no place for what a provider of ours needs:
// the configuration (its Configure passes none on), secrets kept secret on the way back, the inputs a read
// hands to `pulumi import`, and a diff that names each property. Only this file knows the wire.
import type * as pulumiProvider from "@pulumi/pulumi/provider";
import { configureFrom } from "../context";
import { progressLog } from "../progress";
import { detailedDiff, kindOfUrn, withUrnDerivedInputs } from "./resources";
import { openSecrets, Properties, sealSecrets, withoutUndefined } from "./wire";

type Callback = (error: unknown, response?: unknown) => void;
interface Call { request: any }
type Handler = (call: Call, callback: Callback) => void;

/** @pulumi/pulumi's own copies of grpc-js and protobuf: the server is built from them, so ours must be the same. */
function hostModules() {
    const path = require("path") as typeof import("path");
    const hostDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const from = (name: string) => require(require.resolve(name, { paths: [hostDir] }));
    return {
        grpc: from("@grpc/grpc-js"),
        struct: from("google-protobuf/google/protobuf/struct_pb"),
        empty: from("google-protobuf/google/protobuf/empty_pb"),
        provider: require("@pulumi/pulumi/proto/provider_pb"),
    };
}

/** The configuration the engine hands the plugin: `<package>:<key>` to text, secrets decrypted. */
function configure(call: Call, callback: Callback): void {
    const { provider } = hostModules();
    // The engine names each variable `<package>:config:<key>` (and `<package>:<key>` in older releases).
    const variables = new Map<string, string>();
    for (const [name, value] of call.request.getVariablesMap().entries() as Iterable<[string, string]>) {
        variables.set(name.replace(/^([^:]+):config:/, "$1:"), value);
    }
    configureFrom({ config: { get: (key) => variables.get(key) } });
    const response = new provider.ConfigureResponse();
    response.setAcceptsecrets(true);
    response.setAcceptresources(true);
    response.setAcceptoutputs(true);
    // Not `supportsPreview`: with it the engine calls create and update during a preview, and ours act.
    callback(undefined, response);
}

function plainOf(struct: any): Properties {
    return struct ? struct.toJavaScript() : {};
}

function structOf(properties: Properties): any {
    return hostModules().struct.Struct.fromJavaScript(withoutUndefined(properties));
}

/** Runs one resource call, answering with its result or with its error's message (no stack: our messages say what to do). */
function handle(work: (request: any) => Promise<unknown>): Handler {
    return (call, callback) => {
        work(call.request).then((response) => callback(undefined, response), (error) => {
            const { grpc } = hostModules();
            callback({ code: grpc.status.UNKNOWN, details: error instanceof Error ? error.message : String(error) });
        });
    };
}

const check = handle(async (request) => {
    const urn: string = request.getUrn();
    const kind = kindOfUrn(urn);
    const olds = openSecrets(plainOf(request.getOlds()));
    const news = openSecrets(plainOf(request.getNews()));
    const result = await kind.provider().check!(olds.plain, withUrnDerivedInputs(kind, urn, news.plain));
    const { provider } = hostModules();
    const response = new provider.CheckResponse();
    response.setInputs(structOf(sealSecrets(result.inputs as Properties, news.secretKeys)));
    response.setFailuresList((result.failures ?? []).map((failure) => {
        const message = new provider.CheckFailure();
        message.setProperty(failure.property);
        message.setReason(failure.reason);
        return message;
    }));
    return response;
});

const diff = handle(async (request) => {
    const urn: string = request.getUrn();
    const kind = kindOfUrn(urn);
    const olds = openSecrets(plainOf(request.getOlds())).plain;
    const news = openSecrets(plainOf(request.getNews())).plain;
    const decided = await kind.provider().diff!(request.getId(), olds, news);
    const result = detailedDiff(kind, olds, news, decided);
    if (result.replaces.length > 0) {
        progressLog(kind.name)(`replaced because ${result.replaces.map((key) => `'${key}' changes: ${result.reasons[key]}`).join("; ")}`, { lasting: true });
    }
    const { provider } = hostModules();
    const response = new provider.DiffResponse();
    response.setChanges(result.changes ? provider.DiffResponse.DiffChanges.DIFF_SOME : provider.DiffResponse.DiffChanges.DIFF_NONE);
    response.setReplacesList([...result.replaces]);
    response.setDeletebeforereplace(result.deleteBeforeReplace);
    response.setDiffsList(Object.keys(result.properties));
    response.setHasdetaileddiff(true);
    const kinds = provider.PropertyDiff.Kind;
    const detailed = response.getDetaileddiffMap();
    for (const [key, { change, replace }] of Object.entries(result.properties)) {
        const entry = new provider.PropertyDiff();
        const name = `${change.toUpperCase()}${replace ? "_REPLACE" : ""}` as keyof typeof kinds;
        entry.setKind(kinds[name]);
        entry.setInputdiff(true);
        detailed.set(key, entry);
    }
    return response;
});

const create = handle(async (request) => {
    const urn: string = request.getUrn();
    const kind = kindOfUrn(urn);
    const inputs = openSecrets(plainOf(request.getProperties()));
    const result = await kind.provider().create(inputs.plain);
    const response = new (hostModules().provider.CreateResponse)();
    response.setId(result.id);
    response.setProperties(structOf(sealSecrets(result.outs as Properties, [...inputs.secretKeys, ...kind.secretOutputs])));
    return response;
});

const read = handle(async (request) => {
    const urn: string = request.getUrn();
    const kind = kindOfUrn(urn);
    const id: string = request.getId();
    const state = openSecrets(plainOf(request.getProperties()));
    // `pulumi import` and the `import` option read a resource known only by its ID.
    const known = Object.keys(state.plain).length > 0 ? state.plain : kind.importState(id, urn);
    const result = await kind.provider().read!(id, known);
    const secrets = [...state.secretKeys, ...kind.secretOutputs];
    const response = new (hostModules().provider.ReadResponse)();
    response.setId(result.id ?? "");
    response.setProperties(structOf(sealSecrets(result.props as Properties, secrets)));
    if (result.inputs) response.setInputs(structOf(sealSecrets(result.inputs as Properties, secrets)));
    return response;
});

const update = handle(async (request) => {
    const urn: string = request.getUrn();
    const kind = kindOfUrn(urn);
    const olds = openSecrets(plainOf(request.getOlds()));
    const news = openSecrets(plainOf(request.getNews()));
    const result = await kind.provider().update!(request.getId(), olds.plain, news.plain);
    const response = new (hostModules().provider.UpdateResponse)();
    response.setProperties(structOf(sealSecrets(result.outs as Properties, [...news.secretKeys, ...kind.secretOutputs])));
    return response;
});

const remove = handle(async (request) => {
    const urn: string = request.getUrn();
    await kindOfUrn(urn).provider().delete!(request.getId(), openSecrets(plainOf(request.getProperties())).plain);
    return new (hostModules().empty.Empty)();
});

/** The calls this file answers; @pulumi/pulumi's server answers the rest. */
const ownHandlers: Record<string, Handler> = { configure, check, diff, create, read, update, delete: remove };

/**
 * Serves `provider` (schema, construct, invoke) with the resource calls above, over the server that
 * @pulumi/pulumi's `provider.main` builds: the one service it adds gets these handlers in place of its own.
 */
export async function serveProvider(provider: pulumiProvider.Provider, args: string[]): Promise<void> {
    const { grpc } = hostModules();
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (this: unknown, service: Record<string, unknown>, implementation: Record<string, unknown>) {
        if ("construct" in service && "diff" in service) Object.assign(implementation, ownHandlers);
        return addService.call(this, service, implementation);
    };
    const { main } = require("@pulumi/pulumi/provider") as typeof pulumiProvider;
    await main(provider, args);
}
