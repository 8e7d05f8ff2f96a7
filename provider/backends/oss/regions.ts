/**
 * OSS regions as the backend knows them without configuration. A zone of this backend is an OSS
 * region (`cn-hangzhou`); its public endpoint is `https://oss-<region>.aliyuncs.com`, its signing
 * region the region itself, and replication documents name it as the location `oss-<region>`.
 */

/** Regions in the Chinese mainland: replication between one of these and any other region needs `oss_acc`. */
export const mainlandRegions: readonly string[] = [
    "cn-hangzhou", "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-wuhan-lr", "cn-qingdao", "cn-beijing",
    "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu",
];

export const otherRegions: readonly string[] = [
    "cn-hongkong", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-3", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "us-west-1", "us-east-1", "eu-central-1", "eu-west-1", "me-east-1", "me-central-1",
];

export const ossRegions: readonly string[] = [...mainlandRegions, ...otherRegions];

export function ossEndpoint(region: string): string {
    return `https://oss-${region}.aliyuncs.com`;
}

/** The location that replication documents and GetBucketReplicationLocation use for a region. */
export function locationOf(region: string): string {
    return region.startsWith("oss-") ? region : `oss-${region}`;
}

export function regionOfLocation(location: string): string {
    return location.replace(/^oss-/, "");
}

export function isMainland(region: string): boolean {
    return mainlandRegions.includes(region);
}

/** Whether replication between the two regions crosses the border of the Chinese mainland (then only `oss_acc` carries it). */
export function crossesMainlandBorder(a: string, b: string): boolean {
    if (!ossRegions.includes(a) || !ossRegions.includes(b)) return false;
    return isMainland(a) !== isMainland(b);
}

/**
 * Replication time control: Alibaba's RTC guide (https://www.alibabacloud.com/help/en/oss/user-guide/rtc,
 * Limits, Supported regions) offers RTC for cross-region replication only between two of China (Hangzhou),
 * China (Shanghai), China (Qingdao), China (Beijing), China (Zhangjiakou) and China (Shenzhen), or between
 * US (Silicon Valley) and US (Virginia). Each inner list is one such group; both ends must be in one.
 */
export const rtcRegionGroups: readonly (readonly string[])[] = [
    ["cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-shenzhen"],
    ["us-west-1", "us-east-1"],
];

/** Whether OSS offers RTC for replication from `source` to `destination` (two different regions of one RTC group). */
export function rtcBetween(source: string, destination: string): boolean {
    return source !== destination && rtcRegionGroups.some((group) => group.includes(source) && group.includes(destination));
}

/**
 * Regions where PutBucketReplication's tag filter is not available (its reference, usage notes: China
 * (Zhangjiakou), China (Zhongwei) and Mexico).
 */
export const regionsWithoutTagFilter: readonly string[] = ["cn-zhangjiakou", "cn-zhongwei", "na-south-1"];

/** RAM is global; every region's clients use this endpoint. */
export const defaultRamEndpoint = "https://ram.aliyuncs.com";
