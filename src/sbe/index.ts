// xdpfeed/sbe: Simple Binary Encoding schemas, the codec the generated feeds' full-message view
// and encoders use, the SBE packet framing, and the generator behind `xdpfeed codegen sbe`.
export { readSbeSchema, SbeSchemaError, PRIMITIVE_SIZE, type SbeSchema, type SbeMessage, type SbeField, type SbeGroup, type SbeData, type FieldType, type Primitive } from "./schema.js";
export { decodeMessage, encodeMessage, messageOf, SbeDecodeError, type SbeObject, type SbeValue, type EncodeOptions } from "./codec.js";
export { sbePacket, sbePacketMessages, SBE_PACKET_HEADER } from "./packet.js";
export { sbeFeedSchema } from "./feed-schema.js";
export { generate, generateModule, generateSchemaModule, generateEncoder, type GenerateOptions, type GeneratedFiles } from "./generate.js";
export { parseXml, XmlError, type XmlElement } from "./xml.js";
