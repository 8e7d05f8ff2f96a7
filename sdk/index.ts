export { Bucket, BucketArgs } from "./bucket";
export { BucketVersioning, BucketVersioningArgs } from "./bucketVersioning";
