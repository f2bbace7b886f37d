// The name rules of move/sources/names.move, so clients reject bad input before paying gas.
import { LIMITS } from "./constants.ts";

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const RESOURCE = /^[a-z][a-z0-9./-]*$/;
const IMAGE = /^[A-Za-z0-9._/:@-]+$/;

/** DNS-1123 label (`names::is_dns_label`). */
export function isDnsLabel(name: string): boolean {
  return name.length <= LIMITS.maxDnsLabelBytes && LABEL.test(name);
}

/** DNS-1123 subdomain (`names::is_dns_subdomain`). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= LIMITS.maxDnsSubdomainBytes && SUBDOMAIN.test(name);
}

/** Resource kind (`names::is_resource`). */
export function isResource(resource: string): boolean {
  return resource.length <= LIMITS.maxResourceBytes && RESOURCE.test(resource);
}

/** Image reference safe inside a JSON string (`names::is_image`). */
export function isImage(image: string): boolean {
  return image.length <= LIMITS.maxImageBytes && IMAGE.test(image);
}
