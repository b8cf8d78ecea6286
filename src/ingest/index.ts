// Ingest: turns plot files (.ast, pcap, pcapng) and live UDP feeds into one
// stream of ASTERIX data blocks, each with where it came from and when it
// was captured; PlotDecoder then stamps decoded plots with their sensor,
// partner and epoch time. Framing never decodes records, never merges
// sources in time (the tracker does), and never stops on bad input: bad
// bytes and packets are reported with a SKY_* code and reading goes on.
//
// Codes raised here: SKY_ASTERIX_TRUNCATED, SKY_ASTERIX_BAD_LENGTH,
// SKY_PCAP_BAD_HEADER, SKY_PCAP_TRUNCATED, SKY_PCAP_BAD_PACKET,
// SKY_PCAP_LINKTYPE (unsupported link type, its packets skipped),
// SKY_PCAP_WRITE (writer given an impossible datagram), SKY_FILE_NOT_FOUND,
// SKY_FILE_UNREADABLE, SKY_UDP_BIND, SKY_UDP_SOCKET (receiver socket error
// after bind), SKY_UDP_SEND.
export { splitBlocks, RESYNC_CATEGORIES, type DataBlock, type FramingStats, type SplitOptions } from './blocks.ts';
export { readCapture, captureFormat, newCaptureStats, type CaptureStats } from './capture.ts';
export { readPlotFile } from './file.ts';
export { UdpReceiver, UdpSender, type UdpOptions, type UdpSenderOptions } from './udp.ts';
export { writePcap, writePcapng, type CaptureDatagram, type CaptureWriteOptions } from './write.ts';
export { PlotDecoder, type DecodedBlock, type SensorFeedStats, type SourceFeedStats } from './plots.ts';
