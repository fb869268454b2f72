-- cats.lua: Wireshark/tshark dissector for CATS (docs/wireshark.md).
--
-- Signaling: the Mobility Header PBU/PBA of docs/wire.md 2-6.  Wireshark's
-- own mip6 dissector keeps the header and the RFC options; this file adds
-- a handler to its "mip6.option" table for each CATS option (200-210) and
-- for options 9 and 27 (RFC 4285 and RFC 5213 8.8, shown as catsd reads
-- them), and wraps mip6 on ip.proto 135 and udp.port 5436 to check what
-- only the whole message shows: the C and X flags against the kind, the
-- mandatory options, alignment, repeats, padding (docs/wire.md 3, 4, 6).
--
-- BGP: Wireshark 4.0 knows neither SAFI 85 nor attribute 255 (and calls
-- them errors).  A dissector on tcp.port 179 reassembles BGP messages,
-- decodes whole each one that carries SAFI 85 or attribute 255 (the MUP
-- NLRI of draft-ietf-bess-mup-safi 3.1 / docs/wire.md 8.2, the MUP
-- community, the Prefix-SID, the CATS attribute of 8.4, CMU included), and
-- hands every other one to Wireshark's own "bgp".
--
-- Use: tshark -X lua_script:dist/wireshark/cats.lua -r FILE
-- Installed: copy it to /usr/lib/x86_64-linux-gnu/wireshark/plugins/ or
-- ~/.local/lib/wireshark/plugins/.

local cats = Proto("cats", "CATS signaling")

-- ------------------------------------------------------------------ tables
-- Message kinds (include/cats/mh.h enum mh_kind, docs/wire.md 6): name, MH
-- type, BU X flag, mandatory option types besides the CATS message option.
local KINDS = {
	[1] = { "cats-query", 5, false, { 8, 202 } },
	[2] = { "cats-request", 5, true, { 8, 202 } },
	[3] = { "mob-notify", 5, false, { 206, 207 } },
	[4] = { "mob-request", 5, true, { 206 } },
	[5] = { "tx-transfer-request", 5, true, { 206, 207, 202, 208 } },
	[6] = { "tx-transfer-notify", 5, false, { 206, 207, 202, 208 } },
	[7] = { "loc-register", 5, false, { 206, 207 } },
	[8] = { "loc-query", 5, false, { 206 } },
	[9] = { "svc-request", 5, true, { 202 } },
	[10] = { "metric-report", 5, false, { 210 } },
	[11] = { "heartbeat", 5, false, {} },
	[129] = { "cats-response", 6, false, { 202 } },
	[130] = { "cats-ack", 6, false, { 202 } },
	[131] = { "mob-indication", 6, false, { 206 } },
	[132] = { "tx-confirm", 6, false, { 206, 208 } },
	[133] = { "tx-received", 6, false, { 206, 208 } },
	[134] = { "loc-reply", 6, false, { 206 } },
	[135] = { "svc-reply", 6, false, { 202 } },
	[136] = { "msg-ack", 6, false, {} },
	[137] = { "heartbeat-ack", 6, false, {} },
}
local kind_names = { [0] = "pbu", [128] = "pba" }
for k, v in pairs(KINDS) do kind_names[k] = v[1] end

-- Known options (src/core/mh.c opt_tab): name, body min, max, alignment
-- xn+y (n 0: none), how many times it may appear.
local OPTS = {
	[8] = { "mn-id", 2, 255, 0, 0, 1 },
	[9] = { "authentication", 5, 255, 4, 1, 1 },
	[22] = { "home-network-prefix", 18, 18, 8, 4, 4 },
	[23] = { "handoff-indicator", 2, 2, 0, 0, 1 },
	[24] = { "access-tech-type", 2, 2, 0, 0, 1 },
	[25] = { "mn-link-layer-id", 3, 255, 8, 2, 1 },
	[26] = { "link-local-address", 16, 16, 8, 6, 1 },
	[27] = { "timestamp", 8, 8, 8, 2, 1 },
	[200] = { "cats-msg", 2, 2, 0, 0, 1 },
	[201] = { "cr-id", 3, 255, 0, 0, 1 },
	[202] = { "service-id", 3, 255, 0, 0, 1 },
	[203] = { "cats-requirements", 20, 255, 4, 2, 1 },
	[204] = { "cats-conditions", 20, 255, 4, 2, 1 },
	[205] = { "service-prefix", 18, 18, 8, 4, 1 },
	[206] = { "client-addr", 16, 16, 8, 6, 1 },
	[207] = { "cats-addr", 16, 16, 8, 6, 1 },
	[208] = { "transaction", 16, 16, 4, 2, 1 },
	[209] = { "cis-id", 4, 4, 4, 2, 1 },
	[210] = { "cats-metrics", 8, 132, 4, 2, 1 },
}
local opt_names = { [0] = "pad1", [1] = "padn" }
for k, v in pairs(OPTS) do opt_names[k] = v[1] end

local MAX_PAD_RUN = 7	-- RFC 6275 6.2: padding never needs more

-- include/cats/metric.h: metric id -> name, kind (0 compute, 1 network),
-- valid range; statistics (RFC 9439 3.2).
local METRICS = {
	[0] = { "utilisation", 0, 0, 1 },
	[1] = { "capacity", 0, 0, 1e9 },
	[2] = { "queue-length", 0, 0, 1e9 },
	[3] = { "processing-delay", 0, 0, 6e10 },
	[4] = { "one-way-delay", 1, 0, 1e10 },
	[5] = { "delay-variation", 1, 0, 1e10 },
	[6] = { "loss", 1, 0, 1e9 },
	[7] = { "bandwidth", 1, 0, 1e13 },
}
local metric_names = {}
for k, v in pairs(METRICS) do metric_names[k] = v[1] end
local stat_names = { [0] = "cur", [1] = "mean", [2] = "min", [3] = "max" }
local WINDOW_MAX_MS = 86400000
-- BA status codes (RFC 6275 6.1.8, RFC 5213 8.9, docs/wire.md 4): the
-- CATS ones are unknown to Wireshark's mip6.
local status_names = {
	[0] = "accepted", [100] = "cats-sites-available",
	[128] = "reason-unspecified", [129] = "administratively-prohibited",
	[130] = "insufficient-resources", [135] = "sequence-out-of-window",
	[152] = "not-lma-for-this-mobile-node", [153] = "not-authorized-for-proxy-reg",
	[154] = "not-authorized-for-home-network-prefix", [155] = "timestamp-mismatch",
	[156] = "timestamp-lower-than-prev-accepted", [157] = "missing-home-network-prefix-option",
	[158] = "bce-pbu-prefix-set-do-not-match", [159] = "missing-mn-identifier-option",
	[160] = "missing-handoff-indicator-option", [161] = "missing-access-tech-type-option",
	[162] = "gre-key-option-required", [200] = "no-cats-sites-available",
	[201] = "unknown-client", [202] = "not-a-cats-peer",
}
local crid_formats = { [1] = "ip", [2] = "l2", [3] = "uri" }
local aff_kinds = { [1] = "avoid", [2] = "with", [3] = "needs" }
local scopes = { [1] = "instance", [2] = "path" }

-- ------------------------------------------------------------------ fields
local F = {
	kind = ProtoField.uint8("cats.kind", "Message kind", base.DEC, kind_names),
	kind_name = ProtoField.string("cats.kind_name", "Message kind name"),
	status = ProtoField.uint8("cats.status", "Status", base.DEC, status_names),
	status_name = ProtoField.string("cats.status_name", "Status name"),
	flag_c = ProtoField.bool("cats.flags.c", "C (CATS message)"),
	flag_x = ProtoField.bool("cats.flags.x", "X (request kind)"),
	opt_type = ProtoField.uint8("cats.opt.type", "Option type", base.DEC, opt_names),
	opt_len = ProtoField.uint8("cats.opt.len", "Option length"),
	cflags = ProtoField.uint8("cats.msg.flags", "CATS flags", base.HEX),
	continuity = ProtoField.bool("cats.msg.continuity", "Continuity", 8, nil, 0x80),
	crid_len = ProtoField.uint8("cats.cr_id.len", "CR ID length"),
	crid_format = ProtoField.uint8("cats.cr_id.format", "CR ID format", base.DEC, crid_formats),
	crid = ProtoField.string("cats.cr_id", "CR ID"),
	crid_ipv6 = ProtoField.ipv6("cats.cr_id.ipv6", "CR ID (IPv6)"),
	crid_ipv4 = ProtoField.ipv4("cats.cr_id.ipv4", "CR ID (IPv4)"),
	crid_l2 = ProtoField.bytes("cats.cr_id.l2", "CR ID (L2 address)", base.COLON),
	crid_uri = ProtoField.string("cats.cr_id.uri", "CR ID (URI)"),
	sid_len = ProtoField.uint8("cats.cs_id.len", "Service ID length"),
	sid_rsvd = ProtoField.uint8("cats.cs_id.reserved", "Reserved"),
	cs_id = ProtoField.string("cats.cs_id", "Service ID (CS-ID)"),
	svc_plen = ProtoField.uint8("cats.svc_prefix.len", "Service prefix length"),
	svc_prefix = ProtoField.ipv6("cats.svc_prefix", "Service prefix"),
	client = ProtoField.ipv6("cats.client_addr", "Client node address"),
	cats_addr = ProtoField.ipv6("cats.cats_addr", "CATS address"),
	tx_id = ProtoField.uint32("cats.tx.id", "Transaction id"),
	tx_next = ProtoField.uint32("cats.tx.next_seq", "Next result sequence"),
	tx_len = ProtoField.uint32("cats.tx.state_len", "State length"),
	tx_port = ProtoField.uint16("cats.tx.port", "TCP port"),
	tx_rsvd = ProtoField.uint16("cats.tx.reserved", "Reserved"),
	cis_id = ProtoField.uint32("cats.cis_id", "CIS-ID"),
	m_scope = ProtoField.uint8("cats.metrics.scope", "Scope", base.DEC, scopes),
	m_count = ProtoField.uint8("cats.metrics.count", "Count"),
	m_rsvd = ProtoField.uint16("cats.metrics.reserved", "Reserved", base.HEX),
	m_gone = ProtoField.bool("cats.metrics.gone", "G (instance gone)", 16, nil, 0x8000),
	m_cis = ProtoField.uint32("cats.metrics.cis_id", "CIS-ID"),
	m_egress = ProtoField.ipv6("cats.metrics.egress", "Egress"),
	metric = ProtoField.uint8("cats.metric.id", "Metric", base.DEC, metric_names),
	m_stat = ProtoField.uint8("cats.metric.stat", "Statistic", base.DEC, stat_names),
	m_window = ProtoField.uint32("cats.metric.window_ms", "Window (ms)"),
	m_value = ProtoField.double("cats.metric.value", "Value"),
	m_value_text = ProtoField.string("cats.metric.value_text", "Value, to 17 digits"),
	auth_subtype = ProtoField.uint8("cats.auth.subtype", "Subtype"),
	auth_spi = ProtoField.uint32("cats.auth.spi", "Mobility SPI"),
	auth_data = ProtoField.bytes("cats.auth.data", "Authentication data"),
	ts_sec = ProtoField.uint64("cats.timestamp.seconds", "Seconds"),
	ts_frac = ProtoField.uint16("cats.timestamp.fraction", "Fraction (1/65536 s)"),
	unk_type = ProtoField.uint8("cats.unknown.type", "Unknown option type"),
	unk_len = ProtoField.uint8("cats.unknown.length", "Unknown option length"),
	unk_off = ProtoField.uint16("cats.unknown.offset", "Unknown option offset"),
	ts_time = ProtoField.absolute_time("cats.timestamp", "Timestamp", base.UTC),
}
-- Requirements (203) and conditions (204): the same layout.
for _, p in ipairs({ "req", "cond" }) do
	local n = p == "req" and "Requirements" or "Conditions"
	F[p .. "_min_bw"] = ProtoField.uint32("cats." .. p .. ".min_bw", n .. ": NetMinBandwidth (octets/s)")
	F[p .. "_max_lat"] = ProtoField.uint32("cats." .. p .. ".max_lat", n .. ": NetMaxLatency (ns)")
	F[p .. "_max_jitter"] = ProtoField.uint32("cats." .. p .. ".max_jitter", n .. ": NetMaxLatencyVariation (ns)")
	F[p .. "_max_loss"] = ProtoField.uint32("cats." .. p .. ".max_loss", n .. ": NetMaxLoss (per 10^9)")
	F[p .. "_comp_lat"] = ProtoField.uint32("cats." .. p .. ".comp_lat", n .. ": CompMaxLatency (ns)")
	F[p .. "_aff_kind"] = ProtoField.uint8("cats." .. p .. ".affinity.kind", "Affinity kind", base.DEC, aff_kinds)
	F[p .. "_aff_len"] = ProtoField.uint8("cats." .. p .. ".affinity.len", "Affinity name length")
	F[p .. "_aff_name"] = ProtoField.string("cats." .. p .. ".affinity.name", "Affinity name")
end
local flist = {}
for _, f in pairs(F) do flist[#flist + 1] = f end
cats.fields = flist

-- Expert info: one per error of docs/wire.md 7 that a field can show.
local E = {
	len = ProtoExpert.new("cats.malformed.len", "Option length outside its bounds",
		expert.group.MALFORMED, expert.severity.ERROR),
	trunc = ProtoExpert.new("cats.malformed.trunc", "Runs past its option or message",
		expert.group.MALFORMED, expert.severity.ERROR),
	value = ProtoExpert.new("cats.malformed.value", "Invalid field value",
		expert.group.MALFORMED, expert.severity.ERROR),
	align = ProtoExpert.new("cats.malformed.align", "Option breaks its alignment",
		expert.group.MALFORMED, expert.severity.ERROR),
	pad = ProtoExpert.new("cats.malformed.pad", "Padding over 7 octets or PadN not zero",
		expert.group.MALFORMED, expert.severity.ERROR),
	dup = ProtoExpert.new("cats.malformed.dup", "Option repeated beyond its count",
		expert.group.MALFORMED, expert.severity.ERROR),
	auth_last = ProtoExpert.new("cats.malformed.auth_not_last", "Option after the authentication option",
		expert.group.MALFORMED, expert.severity.ERROR),
	kind = ProtoExpert.new("cats.malformed.kind", "C flag, CATS message kind and X flag disagree",
		expert.group.MALFORMED, expert.severity.ERROR),
	missing = ProtoExpert.new("cats.malformed.missing", "Mandatory option missing",
		expert.group.MALFORMED, expert.severity.ERROR),
	header = ProtoExpert.new("cats.malformed.header", "Malformed Mobility Header",
		expert.group.MALFORMED, expert.severity.ERROR),
	unknown = ProtoExpert.new("cats.unknown_option", "Unknown mobility option (skipped, RFC 6275 6.2.1)",
		expert.group.UNDECODED, expert.severity.NOTE),
}
local elist = {}
for _, e in pairs(E) do elist[#elist + 1] = e end
cats.experts = elist

-- ------------------------------------------------------------------ helpers
local function bad(item, e, text)
	item:add_proto_expert_info(e, text)
end

local function hexcolon(r)
	local t = {}
	for i = 0, r:len() - 1 do t[#t + 1] = string.format("%02x", r(i, 1):uint()) end
	return table.concat(t, ":")
end

-- An option's subtree: type, length; nil when the body length is out of
-- the table's bounds (checked once here, docs/wire.md 4).
local function opt_tree(tvb, tree, label)
	local ty = tvb(0, 1):uint()
	local o = OPTS[ty]
	local st = tree:add(cats, tvb(), "CATS Option - " .. label)
	st:add(F.opt_type, tvb(0, 1))
	if tvb:len() < 2 then
		bad(st, E.trunc, "option has no length octet")
		return nil
	end
	local li = st:add(F.opt_len, tvb(1, 1))
	local len = tvb(1, 1):uint()
	if len ~= tvb:len() - 2 then
		bad(li, E.trunc, "option runs past the message")
		return nil
	end
	if len < o[2] or len > o[3] then
		bad(li, E.len, string.format("%s: length %d, must be %d..%d", o[1], len, o[2], o[3]))
		return nil
	end
	return st, len
end

local function prefix_text(r)
	return tostring(r:ipv6())
end

-- ------------------------------------------------------------------ options
local dis = {}

-- 5.1 CATS message: kind, flags (continuity).
dis[200] = function(tvb, pinfo, tree)
	local st = opt_tree(tvb, tree, "CATS message")
	if not st then return end
	local k = tvb(2, 1):uint()
	local ki = st:add(F.kind, tvb(2, 1))
	if not KINDS[k] then bad(ki, E.value, "unknown message kind " .. k) end
	st:add(F.cflags, tvb(3, 1))
	st:add(F.continuity, tvb(3, 1))
	st:append_text(": " .. (kind_names[k] or tostring(k)))
end

-- 5.2 CR_ID: id length (8 bits per the text), format, id (anchoring 4.2).
dis[201] = function(tvb, pinfo, tree)
	local st, len = opt_tree(tvb, tree, "CR_ID")
	if not st then return end
	local il = st:add(F.crid_len, tvb(2, 1))
	local fmt = tvb(3, 1):uint()
	local fi = st:add(F.crid_format, tvb(3, 1))
	local n = len - 2
	if tvb(2, 1):uint() ~= n then
		bad(il, E.value, "CR ID length must be the option length minus 2")
		return
	end
	local r = n > 0 and tvb(4, n) or nil
	local text
	if fmt == 1 and n == 16 then
		st:add(F.crid_ipv6, r)
		text = tostring(r:ipv6())
	elseif fmt == 1 and n == 4 then
		st:add(F.crid_ipv4, r)
		text = tostring(r:ipv4())
	elseif fmt == 2 and (n == 6 or n == 8) then
		st:add(F.crid_l2, r)
		text = hexcolon(r)
	elseif fmt == 3 and n >= 1 then
		st:add(F.crid_uri, r)
		text = r:string()
	else
		bad(fi, E.value, string.format("format %d with %d octets", fmt, n))
		return
	end
	st:add(F.crid, r, text)
	st:append_text(": " .. text)
end

-- 5.3 Service_ID: id length, reserved, the CS-ID (opaque octets).
dis[202] = function(tvb, pinfo, tree)
	local st, len = opt_tree(tvb, tree, "Service_ID")
	if not st then return end
	local il = st:add(F.sid_len, tvb(2, 1))
	st:add(F.sid_rsvd, tvb(3, 1))
	local n = len - 2
	if tvb(2, 1):uint() ~= n or n < 1 then
		bad(il, E.value, "Service ID length must be the option length minus 2, at least 1")
		return
	end
	st:add(F.cs_id, tvb(4, n))
	st:append_text(": " .. tvb(4, n):string())
end

-- 5.4 requirements (203) and conditions (204): five numbers, then
-- affinity entries kind(1) len(1) name, kinds 1..3, names not empty.
local function dis_req(p, label)
	return function(tvb, pinfo, tree)
		local st, len = opt_tree(tvb, tree, label)
		if not st then return end
		local off = 2
		for _, n in ipairs({ "min_bw", "max_lat", "max_jitter", "max_loss", "comp_lat" }) do
			st:add(F[p .. "_" .. n], tvb(off, 4))
			off = off + 4
		end
		local stop = len + 2
		while off < stop do
			if stop - off < 2 then
				bad(st, E.trunc, "affinity entry runs past the option")
				return
			end
			local k, nl = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
			local at = st:add(cats, tvb(off, math.min(stop - off, 2 + nl)), "Affinity")
			local ki = at:add(F[p .. "_aff_kind"], tvb(off, 1))
			local li = at:add(F[p .. "_aff_len"], tvb(off + 1, 1))
			if not aff_kinds[k] then bad(ki, E.value, "affinity kind " .. k); return end
			if nl == 0 then bad(li, E.value, "empty affinity name"); return end
			if off + 2 + nl > stop then bad(li, E.trunc, "affinity name runs past the option"); return end
			at:add(F[p .. "_aff_name"], tvb(off + 2, nl))
			at:append_text(": " .. aff_kinds[k] .. " " .. tvb(off + 2, nl):string())
			off = off + 2 + nl
		end
	end
end
dis[203] = dis_req("req", "CATS requirements")
dis[204] = dis_req("cond", "CATS conditions")

-- 5.5 service prefix: reserved, length (at most 128), 16 octets.
dis[205] = function(tvb, pinfo, tree)
	local st = opt_tree(tvb, tree, "Service prefix")
	if not st then return end
	local pl = tvb(3, 1):uint()
	local li = st:add(F.svc_plen, tvb(3, 1))
	st:add(F.svc_prefix, tvb(4, 16))
	if pl > 128 then bad(li, E.value, "prefix length over 128"); return end
	st:append_text(": " .. prefix_text(tvb(4, 16)) .. "/" .. pl)
end

local function dis_addr(field, label)
	return function(tvb, pinfo, tree)
		local st = opt_tree(tvb, tree, label)
		if not st then return end
		st:add(field, tvb(2, 16))
		st:append_text(": " .. tostring(tvb(2, 16):ipv6()))
	end
end
dis[206] = dis_addr(F.client, "Client node address")	-- 5.6
dis[207] = dis_addr(F.cats_addr, "CATS address")

-- 5.7 transaction.
dis[208] = function(tvb, pinfo, tree)
	local st = opt_tree(tvb, tree, "Transaction")
	if not st then return end
	st:add(F.tx_id, tvb(2, 4))
	st:add(F.tx_next, tvb(6, 4))
	st:add(F.tx_len, tvb(10, 4))
	st:add(F.tx_port, tvb(14, 2))
	st:add(F.tx_rsvd, tvb(16, 2))
	st:append_text(": id " .. tvb(2, 4):uint())
end

-- 5.8 CIS-ID.
dis[209] = function(tvb, pinfo, tree)
	local st = opt_tree(tvb, tree, "CIS-ID")
	if not st then return end
	st:add(F.cis_id, tvb(2, 4))
	st:append_text(": " .. tvb(2, 4):uint())
end

-- One 14-octet metric (docs/wire.md 5.9 and 8.4): id, statistic, window,
-- binary64 value; checked as cats_sample_check does (metric.c).  want is
-- the metric kind the scope allows, nil for any.
local function metric_sample(tvb, off, tree, want, seen, mf)
	local id, stat = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
	local win, v = tvb(off + 2, 4):uint(), tvb(off + 6, 8):float()
	local mt = tree:add(mf.tree, tvb(off, 14), "Metric")
	local ii = mt:add(mf.id, tvb(off, 1))
	local si = mt:add(mf.stat, tvb(off + 1, 1))
	local wi = mt:add(mf.window, tvb(off + 2, 4))
	local vi = mt:add(mf.value, tvb(off + 6, 8))
	-- Wireshark shows a double to 15 digits; this one round-trips
	mt:add(mf.value_text, tvb(off + 6, 8), string.format("%.17g", v)):set_generated()
	local d = METRICS[id]
	if not d then bad(ii, E.value, "unknown metric " .. id); return end
	mt:append_text(string.format(": %s %s %g", d[1], stat_names[stat] or "?", v))
	if want and d[2] ~= want then bad(ii, E.value, "metric of the wrong kind for the scope"); return end
	if seen[id] then bad(ii, E.value, "metric given twice"); return end
	seen[id] = true
	if not stat_names[stat] then bad(si, E.value, "unknown statistic " .. stat); return end
	if v ~= v or v == math.huge or v == -math.huge then bad(vi, E.value, "value not finite"); return end
	if v < d[3] or v > d[4] then bad(vi, E.value, "value out of range"); return end
	if win > WINDOW_MAX_MS or (stat ~= 0 and win == 0) then
		bad(wi, E.value, "window: an aggregate needs one, at most a day")
	end
end
local MH_METRIC = { tree = cats, id = F.metric, stat = F.m_stat, window = F.m_window, value = F.m_value,
	value_text = F.m_value_text }

-- 5.9 CATS metrics: scope, count, G, subject, count x 14 octets.
dis[210] = function(tvb, pinfo, tree)
	local st, len = opt_tree(tvb, tree, "CATS metrics")
	if not st then return end
	local scope, n = tvb(2, 1):uint(), tvb(3, 1):uint()
	local si = st:add(F.m_scope, tvb(2, 1))
	local ci = st:add(F.m_count, tvb(3, 1))
	st:add(F.m_rsvd, tvb(4, 2))
	st:add(F.m_gone, tvb(4, 2))
	local gone = bit32.band(tvb(4, 2):uint(), 0x8000) ~= 0
	local subj = scope == 1 and 4 or 16
	if scope ~= 1 and scope ~= 2 then bad(si, E.value, "unknown scope " .. scope); return end
	if len < 4 + subj then bad(st, E.len, "too short for its subject"); return end
	if scope == 1 then
		local ii = st:add(F.m_cis, tvb(6, 4))
		if tvb(6, 4):uint() == 0 then bad(ii, E.value, "CIS-ID 0") end
	else
		st:add(F.m_egress, tvb(6, 16))
	end
	if n > 8 or len ~= 4 + subj + n * 14 then
		bad(ci, E.value, "count does not match the length (at most 8 metrics)")
		return
	end
	if gone ~= (scope == 1 and n == 0) then
		bad(ci, E.value, "G only with scope 1 and no metric, and count 0 only with G")
	end
	local seen = {}
	for i = 0, n - 1 do
		metric_sample(tvb, 2 + 4 + subj + i * 14, st, scope - 1, seen, MH_METRIC)
	end
	st:append_text(string.format(": %s, %d metric(s)", scopes[scope], n))
end

-- 6.1 RFC 4285 authentication: subtype, SPI, data (HMAC-SHA-256 here).
dis[9] = function(tvb, pinfo, tree)
	local st, len = opt_tree(tvb, tree, "Authentication")
	if not st then return end
	local si = st:add(F.auth_subtype, tvb(2, 1))
	st:add(F.auth_spi, tvb(3, 4))
	if len > 5 then st:add(F.auth_data, tvb(7, len - 5)) end
	if tvb(2, 1):uint() == 0 then bad(si, E.value, "subtype 0") end
	st:append_text(": SPI " .. tvb(3, 4):uint())
end

-- RFC 5213 8.8 timestamp: 48-bit seconds, 16-bit fraction.
dis[27] = function(tvb, pinfo, tree)
	local st = opt_tree(tvb, tree, "Timestamp")
	if not st then return end
	local sec = tvb(2, 6):uint64()
	local frac = tvb(8, 2):uint()
	st:add(F.ts_sec, tvb(2, 6), sec)
	st:add(F.ts_frac, tvb(8, 2))
	local t = NSTime.new(sec:tonumber(), math.floor(frac * 1e9 / 65536))
	st:add(F.ts_time, tvb(2, 8), t)
	st:append_text(": " .. tostring(sec) .. "." .. string.format("%05d", frac))
end

-- One handle for all of them: mip6 gives the option from its type octet.
local cats_opt = Proto("cats_option", "CATS mobility option")
function cats_opt.dissector(tvb, pinfo, tree)
	dis[tvb(0, 1):uint()](tvb, pinfo, tree)
	return tvb:len()
end
local option_table = DissectorTable.get("mip6.option")
for ty in pairs(dis) do option_table:add(ty, cats_opt) end

-- ------------------------------------------------------------------ message
-- Walk the options of the MH at [12, stop): what the message-level rules
-- need (docs/wire.md 4, 6).  Returns a table type -> count and the kind.
local std_option
local function walk_options(tvb, tree, stop)
	local seen, off, run, auth = {}, 12, 0, false
	local kind, cflags
	while off < stop do
		local ty = tvb(off, 1):uint()
		if ty == 0 then
			run = run + 1
			if run > MAX_PAD_RUN then bad(tree, E.pad, "padding run at offset " .. off) end
			off = off + 1
		else
			if off + 2 > stop or off + 2 + tvb(off + 1, 1):uint() > stop then
				bad(tree, E.trunc, string.format("option %d at offset %d runs past the message", ty, off))
				return seen, kind
			end
			local len = tvb(off + 1, 1):uint()
			if ty == 1 then
				run = run + 2 + len
				if run > MAX_PAD_RUN then bad(tree, E.pad, "padding run at offset " .. off) end
				for i = 0, len - 1 do
					if tvb(off + 2 + i, 1):uint() ~= 0 then
						bad(tree, E.pad, "PadN not zero at offset " .. off)
						break
					end
				end
			else
				run = 0
				if auth then bad(tree, E.auth_last, string.format("option %d at offset %d", ty, off)) end
				local o = OPTS[ty]
				if not o then
					local ut = tree:add(cats, tvb(off, 2 + len), "Unknown option")
					ut:add(F.unk_type, tvb(off, 1))
					ut:add(F.unk_len, tvb(off + 1, 1))
					ut:add(F.unk_off, tvb(off, 2 + len), off):set_generated()
					bad(ut, E.unknown, string.format("option %d at offset %d", ty, off))
				else
					if o[4] > 0 and off % o[4] ~= o[5] then
						bad(tree, E.align, string.format("%s at offset %d, must be %dn+%d", o[1], off, o[4], o[5]))
					end
					seen[ty] = (seen[ty] or 0) + 1
					if seen[ty] > o[6] then bad(tree, E.dup, o[1] .. " repeated") end
					if ty == 200 and len == 2 then kind = tvb(off + 2, 1):uint() end
					if not dis[ty] then std_option(tvb, tree, off, ty, len, o) end
					if ty == 9 then auth = true end
				end
			end
			off = off + 2 + len
		end
	end
	return seen, kind
end

-- The RFC options that Wireshark's mip6 shows: the rules catsd applies to
-- them and mip6 does not (src/core/mh.c dec_known, dec_mnid, dec_prefix).
std_option = function(tvb, tree, off, ty, len, o)
	if len < o[2] or len > o[3] then
		bad(tree, E.len, string.format("%s at offset %d: length %d, must be %d..%d", o[1], off, len, o[2], o[3]))
		return
	end
	if ty == 8 and tvb(off + 2, 1):uint() == 0 then
		bad(tree, E.value, "mn-id subtype 0 (RFC 4283)")
	elseif ty == 22 and tvb(off + 3, 1):uint() > 128 then
		bad(tree, E.value, "home-network-prefix length over 128 (RFC 5213 8.3)")
	end
end

-- docs/wire.md 3: C, the CATS message kind and X tell one kind; 6: the
-- kind's mandatory options.
local function check_kind(tvb, st, mhtype, seen, kind)
	local fl_off = mhtype == 5 and 8 or 7
	local flags = mhtype == 5 and tvb(8, 2):uint() or tvb(7, 1):uint()
	local c = bit32.band(flags, mhtype == 5 and 0x0008 or 0x01) ~= 0
	local fr = mhtype == 5 and tvb(fl_off, 2) or tvb(fl_off, 1)
	local ci = st:add(F.flag_c, fr, c)
	local x = false
	if mhtype == 6 then
		local code = tvb(6, 1):uint()
		st:add(F.status, tvb(6, 1))
		st:add(F.status_name, tvb(6, 1), status_names[code] or tostring(code)):set_generated()
	end
	if mhtype == 5 then
		x = bit32.band(flags, 0x0004) ~= 0
		st:add(F.flag_x, fr, x)
	end
	if not c and not seen[200] then
		local k = mhtype == 5 and 0 or 128
		st:add(F.kind, tvb(2, 1), k):set_generated()
		st:add(F.kind_name, tvb(2, 1), kind_names[k]):set_generated()
		return kind_names[k]
	end
	if c ~= (seen[200] ~= nil) then
		bad(ci, E.kind, c and "C set without the CATS message option" or "CATS message option without C")
		return nil
	end
	local ki = KINDS[kind or -1]
	if not ki then return nil end	-- the option's own handler flagged it
	st:add(F.kind, tvb(2, 1), kind):set_generated()
	st:add(F.kind_name, tvb(2, 1), ki[1]):set_generated()
	if ki[2] ~= mhtype then
		bad(ci, E.kind, ki[1] .. " is not a " .. (mhtype == 5 and "BU" or "BA") .. " kind")
		return ki[1]
	end
	if mhtype == 5 and ki[3] ~= x then
		bad(ci, E.kind, ki[1] .. (ki[3] and " needs X" or " must not have X"))
	end
	for _, m in ipairs(ki[4]) do
		if not seen[m] then bad(st, E.missing, ki[1] .. " without " .. opt_names[m]) end
	end
	return ki[1]
end

local function check_message(tvb, pinfo, tree)
	-- Other MH types (BRR, BE, ...) are Mobile IPv6's, not CATS messages.
	if tvb:len() >= 3 and tvb(2, 1):uint() ~= 5 and tvb(2, 1):uint() ~= 6 then return end
	local st = tree:add(cats, tvb(), "CATS")
	if tvb:len() < 12 then bad(st, E.header, "shorter than 12 octets"); return end
	local hlen = (tvb(1, 1):uint() + 1) * 8
	local mhtype = tvb(2, 1):uint()
	if tvb(0, 1):uint() ~= 59 then bad(st, E.header, "payload proto is not 59") end
	if hlen > tvb:len() then bad(st, E.header, "header length runs past the packet"); return end
	if hlen < tvb:len() then bad(st, E.header, "octets after the header length") end
	local seen, kind = walk_options(tvb, st, hlen)
	local name = check_kind(tvb, st, mhtype, seen, kind)
	if name then
		st:append_text(": " .. name)
		if name ~= "pbu" and name ~= "pba" then
			pinfo.cols.protocol = "CATS"
			pinfo.cols.info:append(" " .. name)
		end
	end
end

-- The wrapper of mip6 on IPv6 next header 135 and UDP port 5436.
local mip6 = Dissector.get("mip6")
function cats.dissector(tvb, pinfo, tree)
	-- mip6 throws on a header it cannot read (Wireshark then marks the
	-- packet malformed); the CATS checks run all the same.
	local ok, n = pcall(mip6.call, mip6, tvb, pinfo, tree)
	check_message(tvb, pinfo, tree)
	return ok and n or tvb:len()
end
DissectorTable.get("ip.proto"):add(135, cats)
DissectorTable.get("udp.port"):add(5436, cats)

-- ==================================================================== BGP
-- docs/wire.md 8.  Wireshark 4.0's bgp knows neither SAFI 85 nor attribute
-- 255: on a CATS-MUP session it reports "Unknown SAFI (85)" as an error,
-- misreads the MP_REACH next hop as malformed, and shows the MUP
-- community and the CATS attribute as unknown.  So every BGP message that
-- carries SAFI 85 (an OPEN offering it, an UPDATE or ROUTE-REFRESH of it,
-- a NOTIFICATION naming it) or attribute 255 is decoded here whole, and
-- every other one is handed to Wireshark's bgp as it is.

local catsbgp = Proto("catsbgp", "CATS BGP (MUP SAFI 85, CATS attribute)")
local bgp = Dissector.get("bgp")
local SAFI_MUP, ATTR_CATS = 85, 255

local msg_types = { [1] = "OPEN", [2] = "UPDATE", [3] = "NOTIFICATION", [4] = "KEEPALIVE", [5] = "ROUTE-REFRESH" }
local attr_names = {
	[1] = "ORIGIN", [2] = "AS_PATH", [3] = "NEXT_HOP", [4] = "MULTI_EXIT_DISC",
	[5] = "LOCAL_PREF", [6] = "ATOMIC_AGGREGATE", [7] = "AGGREGATOR", [8] = "COMMUNITIES",
	[9] = "ORIGINATOR_ID", [10] = "CLUSTER_LIST", [14] = "MP_REACH_NLRI",
	[15] = "MP_UNREACH_NLRI", [16] = "EXTENDED_COMMUNITIES", [17] = "AS4_PATH",
	[18] = "AS4_AGGREGATOR", [40] = "BGP Prefix-SID", [255] = "CATS",
}
local route_types = { [1] = "isd", [2] = "dsd", [3] = "t1st", [4] = "t2st" }
local cats_kinds = { [0] = "none", [1] = "cmu" }
local cap_names = { [1] = "multiprotocol", [2] = "route-refresh", [5] = "extended next hop",
	[6] = "extended message", [64] = "graceful restart", [65] = "4-octet AS", [69] = "ADD-PATH",
	[70] = "enhanced route refresh", [71] = "long-lived graceful restart", [73] = "FQDN" }
local afi_names = { [1] = "IPv4", [2] = "IPv6" }
local safi_names = { [1] = "unicast", [85] = "MUP" }

local G = {
	length = ProtoField.uint16("cats.bgp.length", "Length"),
	type = ProtoField.uint8("cats.bgp.type", "Type", base.DEC, msg_types),
	-- OPEN
	version = ProtoField.uint8("cats.bgp.open.version", "Version"),
	my_as = ProtoField.uint16("cats.bgp.open.my_as", "My AS"),
	hold = ProtoField.uint16("cats.bgp.open.hold_time", "Hold time"),
	bgp_id = ProtoField.ipv4("cats.bgp.open.identifier", "BGP identifier"),
	opt_len = ProtoField.uint8("cats.bgp.open.opt_len", "Optional parameters length"),
	param = ProtoField.uint8("cats.bgp.open.param.type", "Parameter type"),
	cap = ProtoField.uint8("cats.bgp.cap.code", "Capability", base.DEC, cap_names),
	cap_len = ProtoField.uint8("cats.bgp.cap.length", "Capability length"),
	cap_value = ProtoField.bytes("cats.bgp.cap.value", "Capability value"),
	cap_as4 = ProtoField.uint32("cats.bgp.cap.as4", "4-octet AS"),
	afi = ProtoField.uint16("cats.bgp.afi", "AFI", base.DEC, afi_names),
	safi = ProtoField.uint8("cats.bgp.safi", "SAFI", base.DEC, safi_names),
	-- NOTIFICATION
	code = ProtoField.uint8("cats.bgp.notify.code", "Error code"),
	subcode = ProtoField.uint8("cats.bgp.notify.subcode", "Error subcode"),
	notify_data = ProtoField.bytes("cats.bgp.notify.data", "Data"),
	-- UPDATE
	wd_len = ProtoField.uint16("cats.bgp.withdrawn_len", "Withdrawn routes length"),
	attrs_len = ProtoField.uint16("cats.bgp.attrs_len", "Total path attribute length"),
	prefix = ProtoField.string("cats.bgp.prefix", "Prefix"),
	attr_flags = ProtoField.uint8("cats.bgp.attr.flags", "Flags", base.HEX),
	attr_type = ProtoField.uint8("cats.bgp.attr.type", "Type code", base.DEC, attr_names),
	attr_len = ProtoField.uint16("cats.bgp.attr.length", "Length"),
	attr_value = ProtoField.bytes("cats.bgp.attr.value", "Value"),
	origin = ProtoField.uint8("cats.bgp.origin", "ORIGIN", base.DEC, { [0] = "IGP", [1] = "EGP", [2] = "INCOMPLETE" }),
	seg_type = ProtoField.uint8("cats.bgp.as_path.segment_type", "Segment type"),
	seg_count = ProtoField.uint8("cats.bgp.as_path.count", "Segment length"),
	asn = ProtoField.uint32("cats.bgp.as_path.asn", "AS"),
	next_hop4 = ProtoField.ipv4("cats.bgp.next_hop", "NEXT_HOP"),
	med = ProtoField.uint32("cats.bgp.med", "MULTI_EXIT_DISC"),
	local_pref = ProtoField.uint32("cats.bgp.local_pref", "LOCAL_PREF"),
	originator = ProtoField.ipv4("cats.bgp.originator_id", "ORIGINATOR_ID"),
	cluster = ProtoField.ipv4("cats.bgp.cluster_id", "CLUSTER_LIST member"),
	mp_nh_len = ProtoField.uint8("cats.bgp.mp.next_hop_len", "Next hop length"),
	mp_nh = ProtoField.string("cats.bgp.mp.next_hop", "Next hop"),
	mp_rsvd = ProtoField.uint8("cats.bgp.mp.reserved", "Reserved"),
	ec_type = ProtoField.uint8("cats.bgp.ext_comm.type", "Type", base.HEX),
	ec_subtype = ProtoField.uint8("cats.bgp.ext_comm.subtype", "Subtype", base.HEX),
	ec_value = ProtoField.bytes("cats.bgp.ext_comm.value", "Value"),
	rt = ProtoField.string("cats.bgp.rt", "Route target"),
	mup_ec = ProtoField.string("cats.mup.direct_segment", "MUP direct segment (CS-ID)"),
	mup_ec_asn = ProtoField.uint16("cats.mup.direct_segment.asn", "ASN"),
	mup_ec_id = ProtoField.uint32("cats.mup.direct_segment.id", "Identifier (CS-ID)"),
	mup_iw = ProtoField.string("cats.mup.interwork_segment", "MUP interwork segment"),
	psid_type = ProtoField.uint8("cats.bgp.psid.type", "Prefix-SID TLV type"),
	psid_len = ProtoField.uint16("cats.bgp.psid.length", "Length"),
	psid_value = ProtoField.bytes("cats.bgp.psid.value", "Value"),
	sid = ProtoField.ipv6("cats.bgp.psid.sid", "SRv6 SID"),
	sid_flags = ProtoField.uint8("cats.bgp.psid.flags", "SID flags", base.HEX),
	behavior = ProtoField.uint16("cats.bgp.psid.behavior", "Endpoint behavior"),
	structure = ProtoField.string("cats.bgp.psid.structure", "SID structure (LB/LN/Fun/Arg/TLen/TOff)"),
	-- CATS attribute (8.4)
	ca_type = ProtoField.uint8("cats.bgp.cats.tlv", "TLV type", base.DEC,
		{ [1] = "KIND", [2] = "CS-ID", [3] = "CIS-ID", [4] = "METRIC" }),
	ca_len = ProtoField.uint8("cats.bgp.cats.tlv_len", "TLV length"),
	ca_kind = ProtoField.uint8("cats.bgp.cats.kind", "Kind", base.DEC, cats_kinds),
	ca_cs = ProtoField.uint32("cats.bgp.cats.cs_id", "CS-ID"),
	ca_cis = ProtoField.uint32("cats.bgp.cats.cis_id", "CIS-ID"),
	m_id = ProtoField.uint8("cats.bgp.metric.id", "Metric", base.DEC, metric_names),
	m_stat = ProtoField.uint8("cats.bgp.metric.stat", "Statistic", base.DEC, stat_names),
	m_window = ProtoField.uint32("cats.bgp.metric.window_ms", "Window (ms)"),
	m_value = ProtoField.double("cats.bgp.metric.value", "Value"),
	m_value_text = ProtoField.string("cats.bgp.metric.value_text", "Value, to 17 digits"),
	-- MUP NLRI (8.2)
	arch = ProtoField.uint8("cats.mup.arch", "Architecture type", base.DEC, { [1] = "3gpp-5g" }),
	rtype = ProtoField.uint16("cats.mup.route_type", "Route type", base.DEC, route_types),
	nlri_len = ProtoField.uint8("cats.mup.length", "Length"),
	rd = ProtoField.string("cats.mup.rd", "Route distinguisher"),
	mprefix = ProtoField.string("cats.mup.prefix", "Prefix"),
	maddr = ProtoField.string("cats.mup.address", "Address"),
	teid = ProtoField.uint32("cats.mup.teid", "TEID"),
	qfi = ProtoField.uint8("cats.mup.qfi", "QFI"),
	plen = ProtoField.uint8("cats.mup.prefix_len", "Prefix length (bits)"),
	ep_len = ProtoField.uint8("cats.mup.endpoint_len", "Endpoint length (bits)"),
	ep = ProtoField.string("cats.mup.endpoint", "Endpoint"),
	src_len = ProtoField.uint8("cats.mup.source_len", "Source length (bits)"),
	src = ProtoField.string("cats.mup.source", "Source"),
	-- draft-ietf-bess-mup-safi-01 3.1.5: TLVs after a T1ST's or T2ST's fields
	tlv_type = ProtoField.uint8("cats.mup.tlv.type", "TLV type", base.DEC,
		{ [1] = "3gpp-5g session parameters", [2] = "interwork endpoint address",
		  [3] = "source address" }),
	tlv_len = ProtoField.uint8("cats.mup.tlv.length", "TLV length"),
	tlv_teid = ProtoField.uint32("cats.mup.tlv.teid", "Session TEID"),
	tlv_qfi = ProtoField.uint8("cats.mup.tlv.qfi", "Session QFI"),
	tlv_iw = ProtoField.string("cats.mup.tlv.interwork_endpoint", "Interwork endpoint address"),
	tlv_src = ProtoField.string("cats.mup.tlv.source_address", "Source address"),
	tlv_value = ProtoField.bytes("cats.mup.tlv.value", "Value"),
	cmu = ProtoField.bool("cats.mup.cmu", "CMU (DSD with CATS kind CMU)"),
	withdrawn = ProtoField.bool("cats.mup.withdrawn", "Withdrawn"),
	route = ProtoField.string("cats.mup.route", "Route"),
	body = ProtoField.bytes("cats.mup.body", "Body"),
}
local glist = {}
for _, f in pairs(G) do glist[#glist + 1] = f end
catsbgp.fields = glist

local GE = {
	len = ProtoExpert.new("cats.bgp.malformed.len", "Length wrong for its type",
		expert.group.MALFORMED, expert.severity.ERROR),
	trunc = ProtoExpert.new("cats.bgp.malformed.trunc", "Runs past its attribute or message",
		expert.group.MALFORMED, expert.severity.ERROR),
	value = ProtoExpert.new("cats.bgp.malformed.value", "Invalid field value",
		expert.group.MALFORMED, expert.severity.ERROR),
	marker = ProtoExpert.new("cats.bgp.malformed.marker", "Marker not all ones (RFC 4271 4.1)",
		expert.group.MALFORMED, expert.severity.ERROR),
	skipped = ProtoExpert.new("cats.bgp.skipped", "Unknown type, skipped as the RFC says",
		expert.group.UNDECODED, expert.severity.NOTE),
}
local gelist = {}
for _, e in pairs(GE) do gelist[#gelist + 1] = e end
catsbgp.experts = gelist

-- Addresses as text, as inet_ntop(3) writes them (catsd's JSON): the
-- prefix octets are padded with zeros to the family's size.
local function ip4_text(b)
	return string.format("%d.%d.%d.%d", b[1] or 0, b[2] or 0, b[3] or 0, b[4] or 0)
end
local function ip6_text(b)
	local g = {}
	for i = 0, 7 do g[i + 1] = (b[2 * i + 1] or 0) * 256 + (b[2 * i + 2] or 0) end
	-- RFC 5952 4.2: the longest run of two or more zero groups, the first
	-- one on a tie, becomes "::"
	local bs, bl, i = 0, 0, 1
	while i <= 8 do
		if g[i] == 0 then
			local j = i
			while j <= 8 and g[j] == 0 do j = j + 1 end
			if j - i > bl then bs, bl = i, j - i end
			i = j
		else
			i = i + 1
		end
	end
	local function part(a, z)
		local t = {}
		for k = a, z do t[#t + 1] = string.format("%x", g[k]) end
		return table.concat(t, ":")
	end
	if bl < 2 then return part(1, 8) end
	return part(1, bs - 1) .. "::" .. part(bs + bl, 8)
end
local function octets(r)
	local b = {}
	for i = 0, r:len() - 1 do b[i + 1] = r(i, 1):uint() end
	return b
end
-- n octets at off as an address of the family (afi 1: IPv4, 2: IPv6)
local function addr_text(tvb, off, n, afi)
	local b = n > 0 and octets(tvb(off, n)) or {}
	return afi == 1 and ip4_text(b) or ip6_text(b)
end
local function rd_text(r)
	local t = r(0, 2):uint()
	if t == 0 then return r(2, 2):uint() .. ":" .. r(4, 4):uint() end
	if t == 1 then return tostring(r(2, 4):ipv4()) .. ":" .. r(6, 2):uint() end
	if t == 2 then return r(2, 4):uint() .. ":" .. r(6, 2):uint() end
	return "type " .. t .. ":" .. tostring(r(2, 6):bytes())
end
local function family_name(afi)
	return (afi == 1 and "ipv4" or "ipv6") .. "-mup"
end

-- One MUP NLRI body after the RD (docs/wire.md 8.2).  Returns the route's
-- key fields as text, or nil when it is malformed (flagged).
-- The TLVs of a session transformed route [off, stop): type (1), length
-- (1), value; not part of its key (draft-ietf-bess-mup-safi-01 3.1.5).
-- A malformed one makes catsd withdraw the route (wire.md 8.5).
local TLV_LEN = { [1] = { 5 }, [2] = { 4, 16 }, [3] = { 4, 16 } }
local function mup_tlvs(tvb, off, stop, t)
	local seen = {}
	while off < stop do
		if stop - off < 2 then bad(t, GE.trunc, "a TLV header runs past the NLRI"); return end
		local ty, len = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		local tt = t:add(catsbgp, tvb(off, math.min(2 + len, stop - off)), "TLV " .. ty)
		tt:add(G.tlv_type, tvb(off, 1))
		local li = tt:add(G.tlv_len, tvb(off + 1, 1))
		if off + 2 + len > stop then bad(li, GE.trunc, "a TLV runs past the NLRI"); return end
		if len == 0 then bad(li, GE.len, "a TLV of length 0"); return end
		local want = TLV_LEN[ty]
		if want and len ~= want[1] and len ~= want[2] then
			bad(li, GE.len, "wrong length for the TLV's type"); return
		end
		if want and seen[ty] then bad(tt, GE.value, "a known TLV twice"); return end
		seen[ty] = true
		local v = off + 2
		if ty == 1 then
			tt:add(G.tlv_teid, tvb(v, 4))
			tt:add(G.tlv_qfi, tvb(v + 4, 1))
			tt:append_text(string.format(": session TEID %d QFI %d", tvb(v, 4):uint(), tvb(v + 4, 1):uint()))
		elseif ty == 2 or ty == 3 then
			local a = addr_text(tvb, v, len, len == 4 and 1 or 2)
			tt:add(ty == 2 and G.tlv_iw or G.tlv_src, tvb(v, len), a)
			tt:append_text((ty == 2 and ": interwork endpoint " or ": source address ") .. a)
		else
			tt:add(G.tlv_value, tvb(v, len))	-- kept and passed on (3.1.3)
		end
		off = v + len
	end
end

local function mup_body(tvb, off, stop, ty, afi, t)
	local abits = afi == 1 and 32 or 128
	local alen = abits / 8
	local function need(n, what)
		if off + n > stop then bad(t, GE.trunc, what .. " runs past the NLRI"); return false end
		return true
	end
	local function prefix(field, lfield)
		if not need(1, "prefix length") then return nil end
		local pl = tvb(off, 1):uint()
		local li = t:add(lfield, tvb(off, 1))
		if pl > abits then bad(li, GE.value, "prefix longer than the family"); return nil end
		local n = math.ceil(pl / 8)
		if not need(1 + n, "prefix") then return nil end
		local text = addr_text(tvb, off + 1, n, afi)
		-- RFC 4271: bits past the length are ignored (wire.md 8.2: cleared)
		local b = n > 0 and octets(tvb(off + 1, n)) or {}
		if pl % 8 ~= 0 and n > 0 then
			b[n] = bit32.band(b[n], bit32.lshift(0xff, 8 - pl % 8) % 256)
			text = afi == 1 and ip4_text(b) or ip6_text(b)
		end
		text = text .. "/" .. pl
		t:add(field, tvb(off, 1 + n), text)
		off = off + 1 + n
		return text
	end
	if ty == 1 then		-- ISD
		local p = prefix(G.mprefix, G.plen)
		if not p then return nil end
		return "prefix " .. p, off
	elseif ty == 2 then	-- DSD
		if not need(alen, "address") then return nil end
		local a = addr_text(tvb, off, alen, afi)
		t:add(G.maddr, tvb(off, alen), a)
		return "address " .. a, off + alen
	elseif ty == 3 then	-- T1ST
		local p = prefix(G.mprefix, G.plen)
		if not p or not need(6, "TEID, QFI, endpoint length") then return nil end
		t:add(G.teid, tvb(off, 4))
		t:add(G.qfi, tvb(off + 4, 1))
		local teid, qfi, el = tvb(off, 4):uint(), tvb(off + 4, 1):uint(), tvb(off + 5, 1):uint()
		local ei = t:add(G.ep_len, tvb(off + 5, 1))
		if el ~= 32 and el ~= 128 then bad(ei, GE.value, "endpoint length not 32 or 128"); return nil end
		off = off + 6
		if not need(el / 8, "endpoint") then return nil end
		local e = addr_text(tvb, off, el / 8, el == 32 and 1 or 2)
		t:add(G.ep, tvb(off, el / 8), e)
		off = off + el / 8
		local text = string.format("prefix %s teid %d qfi %d endpoint %s", p, teid, qfi, e)
		if off < stop then	-- optional source (length 0 accepted)
			local sl = tvb(off, 1):uint()
			local si = t:add(G.src_len, tvb(off, 1))
			if sl ~= 0 and sl ~= 32 and sl ~= 128 then bad(si, GE.value, "source length not 0, 32 or 128"); return nil end
			off = off + 1
			if sl > 0 then
				if not need(sl / 8, "source") then return nil end
				local s = addr_text(tvb, off, sl / 8, sl == 32 and 1 or 2)
				t:add(G.src, tvb(off, sl / 8), s)
				text = text .. " source " .. s
				off = off + sl / 8
			end
		end
		mup_tlvs(tvb, off, stop, t)
		return text, stop
	elseif ty == 4 then	-- T2ST
		if not need(1, "endpoint length") then return nil end
		local el = tvb(off, 1):uint()
		local ei = t:add(G.ep_len, tvb(off, 1))
		local tb = el - abits
		if tb < 0 or tb > 32 then bad(ei, GE.value, "endpoint length: address bits plus 0..32 TEID bits"); return nil end
		local tn = math.ceil(tb / 8)
		if not need(1 + alen + tn, "endpoint and TEID") then return nil end
		local e = addr_text(tvb, off + 1, alen, afi)
		t:add(G.ep, tvb(off + 1, alen), e)
		-- a TEID shorter than 32 bits is its leading bits (left-aligned)
		local teid = 0
		for i = 0, 3 do teid = teid * 256 + (i < tn and tvb(off + 1 + alen + i, 1):uint() or 0) end
		if tn > 0 then t:add(G.teid, tvb(off + 1 + alen, tn), teid) else t:add(G.teid, tvb(off, 1), 0):set_generated() end
		mup_tlvs(tvb, off + 1 + alen + tn, stop, t)
		return string.format("endpoint %s endpoint_length %d teid %d", e, el, teid), stop
	end
	return nil
end

-- The MUP NLRI of an MP_REACH/MP_UNREACH block [off, stop).  ctx: what the
-- UPDATE's other attributes say (CATS attribute, community, ...), for the
-- one-line cats.mup.route of each route.
local function mup_nlri(tvb, off, stop, afi, tree, ctx, withdrawn)
	while off < stop do
		if stop - off < 4 then bad(tree, GE.trunc, "MUP NLRI header runs past the attribute"); return end
		local arch, ty, len = tvb(off, 1):uint(), tvb(off + 1, 2):uint(), tvb(off + 3, 1):uint()
		if off + 4 + len > stop then bad(tree, GE.trunc, "MUP NLRI runs past the attribute"); return end
		local t = tree:add(catsbgp, tvb(off, 4 + len), "MUP NLRI")
		t:add(G.arch, tvb(off, 1))
		t:add(G.rtype, tvb(off + 1, 2))
		t:add(G.nlri_len, tvb(off + 3, 1))
		local o = off + 4
		if arch ~= 1 or not route_types[ty] then
			-- wire.md 8.2: another architecture or route type is stepped over
			if len > 0 then t:add(G.body, tvb(o, len)) end
			bad(t, GE.skipped, string.format("architecture %d, route type %d", arch, ty))
		elseif len < 8 then
			bad(t, GE.len, "shorter than its route distinguisher")
		else
			local rd = rd_text(tvb(o, 8))
			t:add(G.rd, tvb(o, 8), rd)
			local key, e = mup_body(tvb, o + 8, o + len, ty, afi, t)
			if key and e ~= o + len then
				bad(t, GE.len, "body not consumed exactly")
			elseif key then
				local name = route_types[ty]
				local cmu = ty == 2 and ctx.kind == 1
				if cmu then t:add(G.cmu, tvb(off + 1, 2), true):set_generated() end
				if withdrawn then t:add(G.withdrawn, tvb(off, 1), true):set_generated() end
				local text = string.format("%s %s rd %s %s", family_name(afi), name, rd, key)
				-- the attributes may follow MP_REACH: named once all are read
				ctx.routes[#ctx.routes + 1] = { t, tvb(off, 4 + len), text, withdrawn }
				t:set_text(string.format("MUP %s%s: %s", cmu and "CMU" or name:upper(),
					withdrawn and " (withdrawn)" or "", rd .. " " .. key))
			end
		end
		off = off + 4 + len
	end
end

-- Plain prefixes (RFC 4271 4.3, RFC 4760 5) of [off, stop).
local function prefixes(tvb, off, stop, afi, tree)
	local abits = afi == 1 and 32 or 128
	while off < stop do
		local pl = tvb(off, 1):uint()
		local n = math.ceil(pl / 8)
		if pl > abits or off + 1 + n > stop then bad(tree, GE.trunc, "prefix runs past its block"); return end
		tree:add(G.prefix, tvb(off, 1 + n), addr_text(tvb, off + 1, n, afi) .. "/" .. pl)
		off = off + 1 + n
	end
end

local A = {}	-- attribute decoders: (tvb, off, len, tree, ctx)

-- exact length or flag it
local function want_len(t, len, n, name)
	if len ~= n then bad(t, GE.len, string.format("%s: length %d, must be %d", name, len, n)); return false end
	return true
end
A[1] = function(tvb, off, len, t) if want_len(t, len, 1, "ORIGIN") then t:add(G.origin, tvb(off, 1)) end end
A[2] = function(tvb, off, len, t)	-- 4-octet ASNs: catsd and gobgpd always send AS4 (RFC 6793)
	local stop = off + len
	while off < stop do
		if stop - off < 2 then bad(t, GE.trunc, "AS_PATH segment header"); return end
		local n = tvb(off + 1, 1):uint()
		if off + 2 + 4 * n > stop then bad(t, GE.trunc, "AS_PATH segment"); return end
		t:add(G.seg_type, tvb(off, 1))
		t:add(G.seg_count, tvb(off + 1, 1))
		for i = 0, n - 1 do t:add(G.asn, tvb(off + 2 + 4 * i, 4)) end
		off = off + 2 + 4 * n
	end
end
A[3] = function(tvb, off, len, t) if want_len(t, len, 4, "NEXT_HOP") then t:add(G.next_hop4, tvb(off, 4)) end end
A[4] = function(tvb, off, len, t) if want_len(t, len, 4, "MED") then t:add(G.med, tvb(off, 4)) end end
A[5] = function(tvb, off, len, t) if want_len(t, len, 4, "LOCAL_PREF") then t:add(G.local_pref, tvb(off, 4)) end end
A[9] = function(tvb, off, len, t) if want_len(t, len, 4, "ORIGINATOR_ID") then t:add(G.originator, tvb(off, 4)) end end
A[10] = function(tvb, off, len, t)
	if len == 0 or len % 4 ~= 0 then bad(t, GE.len, "CLUSTER_LIST not a multiple of 4"); return end
	for i = 0, len / 4 - 1 do t:add(G.cluster, tvb(off + 4 * i, 4)) end
end
local function mp_head(tvb, off, len, t)
	if len < 3 then bad(t, GE.len, "shorter than AFI and SAFI"); return nil end
	t:add(G.afi, tvb(off, 2))
	t:add(G.safi, tvb(off + 2, 1))
	return tvb(off, 2):uint(), tvb(off + 2, 1):uint()
end
local function mp_nlri(tvb, off, stop, afi, safi, t, ctx, withdrawn)
	if safi == SAFI_MUP then
		mup_nlri(tvb, off, stop, afi, t, ctx, withdrawn)
	elseif safi == 1 or safi == 2 then
		prefixes(tvb, off, stop, afi, t)
	elseif stop > off then
		t:add(G.attr_value, tvb(off, stop - off))
	end
end
A[14] = function(tvb, off, len, t, ctx)
	local afi, safi = mp_head(tvb, off, len, t)
	if not afi then return end
	if len < 5 then bad(t, GE.len, "no next hop length"); return end
	local nl = tvb(off + 3, 1):uint()
	local li = t:add(G.mp_nh_len, tvb(off + 3, 1))
	if nl ~= 4 and nl ~= 16 and nl ~= 32 then bad(li, GE.value, "next hop not 4, 16 or 32 octets (RFC 7606 7.11)"); return end
	if 5 + nl > len then bad(li, GE.trunc, "next hop runs past the attribute"); return end
	local nh = nl == 4 and addr_text(tvb, off + 4, 4, 1) or addr_text(tvb, off + 4, 16, 2)
	if nl == 32 then nh = nh .. " " .. addr_text(tvb, off + 20, 16, 2) end
	t:add(G.mp_nh, tvb(off + 4, nl), nh)
	t:add(G.mp_rsvd, tvb(off + 4 + nl, 1))
	mp_nlri(tvb, off + 5 + nl, off + len, afi, safi, t, ctx, false)
end
A[15] = function(tvb, off, len, t, ctx)
	local afi, safi = mp_head(tvb, off, len, t)
	if afi then mp_nlri(tvb, off + 3, off + len, afi, safi, t, ctx, true) end
end
A[16] = function(tvb, off, len, t, ctx)
	if len == 0 or len % 8 ~= 0 then bad(t, GE.len, "not a multiple of 8 (RFC 7606 7.14)"); return end
	for i = 0, len / 8 - 1 do
		local o = off + 8 * i
		local ty, st = tvb(o, 1):uint(), tvb(o + 1, 1):uint()
		local c = t:add(catsbgp, tvb(o, 8), "Extended community")
		c:add(G.ec_type, tvb(o, 1))
		c:add(G.ec_subtype, tvb(o + 1, 1))
		if ty == 0x0c and st <= 5 then	-- draft-ietf-bess-mup-safi-01 3.2
			-- 0-2 direct, 3-5 interwork; each AS2:N4, IPv4:N2 or AS4:N2
			local form, text = st % 3
			if form == 0 then text = tvb(o + 2, 2):uint() .. ":" .. tvb(o + 4, 4):uint()
			elseif form == 1 then text = tostring(tvb(o + 2, 4):ipv4()) .. ":" .. tvb(o + 6, 2):uint()
			else text = tvb(o + 2, 4):uint() .. ":" .. tvb(o + 6, 2):uint() end
			if st == 0 then
				c:add(G.mup_ec_asn, tvb(o + 2, 2))
				c:add(G.mup_ec_id, tvb(o + 4, 4))
			end
			if st < 3 then
				c:add(G.mup_ec, tvb(o + 2, 6), text)
				c:append_text(": MUP direct segment " .. text)
				if not ctx.mup and not ctx.mup_iw then ctx.mup = text end
			else
				c:add(G.mup_iw, tvb(o + 2, 6), text)
				c:append_text(": MUP interwork segment " .. text)
				if not ctx.mup and not ctx.mup_iw then ctx.mup_iw = text end
			end
		elseif st == 2 and ty <= 2 then	-- RFC 4360 route targets
			local text
			if ty == 0 then text = tvb(o + 2, 2):uint() .. ":" .. tvb(o + 4, 4):uint()
			elseif ty == 1 then text = tostring(tvb(o + 2, 4):ipv4()) .. ":" .. tvb(o + 6, 2):uint()
			else text = tvb(o + 2, 4):uint() .. ":" .. tvb(o + 6, 2):uint() end
			c:add(G.rt, tvb(o + 2, 6), text)
			c:append_text(": route target " .. text)
			ctx.rts[#ctx.rts + 1] = text
		else
			c:add(G.ec_value, tvb(o + 2, 6))
		end
	end
end
-- RFC 9252 3.2: TLVs type(1) len(2) at each level.
local function psid_tlvs(tvb, off, stop, t, level, ctx)
	while off < stop do
		if stop - off < 3 then bad(t, GE.trunc, "Prefix-SID TLV header"); return end
		local ty, len = tvb(off, 1):uint(), tvb(off + 1, 2):uint()
		if off + 3 + len > stop then bad(t, GE.trunc, "Prefix-SID TLV runs past its parent"); return end
		local s = t:add(catsbgp, tvb(off, 3 + len), "Prefix-SID TLV " .. ty)
		s:add(G.psid_type, tvb(off, 1))
		s:add(G.psid_len, tvb(off + 1, 2))
		local b = off + 3
		if level == 0 and ty == 5 and len >= 1 then		-- SRv6 L3 Service TLV
			s:set_text("SRv6 L3 Service TLV")
			psid_tlvs(tvb, b + 1, b + len, s, 1, ctx)
		elseif level == 1 and ty == 1 and len >= 21 then	-- SID Information
			s:set_text("SRv6 SID Information: " .. tostring(tvb(b + 1, 16):ipv6()))
			s:add(G.sid, tvb(b + 1, 16))
			s:add(G.sid_flags, tvb(b + 17, 1))
			s:add(G.behavior, tvb(b + 18, 2))
			if not ctx.sid then ctx.sid, ctx.behavior = tostring(tvb(b + 1, 16):ipv6()), tvb(b + 18, 2):uint() end
			psid_tlvs(tvb, b + 21, b + len, s, 2, ctx)
		elseif level == 2 and ty == 1 then			-- SID Structure
			if want_len(s, len, 6, "SID Structure") then
				local v = {}
				for i = 0, 5 do v[#v + 1] = tvb(b + i, 1):uint() end
				s:add(G.structure, tvb(b, 6), table.concat(v, "/"))
			end
		elseif len > 0 then
			s:add(G.psid_value, tvb(b, len))	-- unknown: skipped (RFC 9252)
		end
		off = b + len
	end
end
A[40] = function(tvb, off, len, t, ctx) psid_tlvs(tvb, off, off + len, t, 0, ctx) end
local BGP_METRIC = { tree = catsbgp, id = G.m_id, stat = G.m_stat, window = G.m_window, value = G.m_value,
	value_text = G.m_value_text }
-- docs/wire.md 8.4: TLVs type(1) len(1); unknown types skipped.
A[255] = function(tvb, off, len, t, ctx)
	local stop, seen, mseen, nm = off + len, {}, {}, 0
	local lens = { [1] = 1, [2] = 4, [3] = 4, [4] = 14 }
	while off < stop do
		if stop - off < 2 then bad(t, GE.trunc, "CATS TLV header"); return end
		local ty, l = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		if off + 2 + l > stop then bad(t, GE.trunc, "CATS TLV runs past the attribute"); return end
		local s = t:add(catsbgp, tvb(off, 2 + l), "CATS TLV")
		s:add(G.ca_type, tvb(off, 1))
		local li = s:add(G.ca_len, tvb(off + 1, 1))
		local b = off + 2
		if lens[ty] and l ~= lens[ty] then
			bad(li, GE.len, string.format("TLV %d: length %d, must be %d", ty, l, lens[ty]))
		elseif ty ~= 4 and lens[ty] and seen[ty] then
			bad(s, GE.value, "TLV " .. ty .. " given twice")
		elseif ty == 1 then
			s:add(G.ca_kind, tvb(b, 1))
			s:set_text("KIND: " .. (cats_kinds[tvb(b, 1):uint()] or tvb(b, 1):uint()))
		elseif ty == 2 then
			s:add(G.ca_cs, tvb(b, 4))
			s:set_text("CS-ID: " .. tvb(b, 4):uint())
		elseif ty == 3 then
			s:add(G.ca_cis, tvb(b, 4))
			s:set_text("CIS-ID: " .. tvb(b, 4):uint())
		elseif ty == 4 then
			nm = nm + 1
			if nm > 8 then bad(s, GE.value, "more than 8 metrics") end
			metric_sample(tvb, b, s, nil, mseen, BGP_METRIC)
			s:set_text("METRIC")
		else
			bad(s, GE.skipped, "CATS TLV type " .. ty)
		end
		seen[ty] = true
		off = b + l
	end
end

-- The flags an attribute must have (RFC 4271 5, RFC 4760, RFC 9252,
-- wire.md 8.4): optional and transitive bits.
local want_flags = { [1] = 0x40, [2] = 0x40, [3] = 0x40, [4] = 0x80, [5] = 0x40,
	[9] = 0x80, [10] = 0x80, [14] = 0x80, [15] = 0x80, [16] = 0xc0, [40] = 0xc0, [255] = 0xc0 }

-- Look ahead at the CATS attribute (KIND, CS-ID, CIS-ID, metric count):
-- the route line of each NLRI names them, and MP_REACH goes last.
local function cats_attr_peek(tvb, off, stop)
	local c = { kind = 0, n = 0 }
	while off + 3 <= stop do
		local fl, ty = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		local ext = bit32.band(fl, 0x10) ~= 0
		local hl = ext and 4 or 3
		if off + hl > stop then break end
		local len = ext and tvb(off + 2, 2):uint() or tvb(off + 2, 1):uint()
		if off + hl + len > stop then break end
		if ty == ATTR_CATS then
			local o, e = off + hl, off + hl + len
			while o + 2 <= e do
				local tt, l = tvb(o, 1):uint(), tvb(o + 1, 1):uint()
				if o + 2 + l > e then break end
				if tt == 1 and l == 1 then c.kind = tvb(o + 2, 1):uint() end
				if tt == 2 and l == 4 then c.cs = tvb(o + 2, 4):uint() end
				if tt == 3 and l == 4 then c.cis = tvb(o + 2, 4):uint() end
				if tt == 4 then c.n = c.n + 1 end
				o = o + 2 + l
			end
		end
		off = off + hl + len
	end
	return c
end

local function attributes(tvb, off, stop, tree)
	local peek = cats_attr_peek(tvb, off, stop)
	local ctx = { kind = peek.kind, rts = {}, routes = {} }
	-- the attributes that go with each route, in catsd's words
	ctx.text = function()
		local t = {}
		if ctx.mup then t[#t + 1] = "mup " .. ctx.mup end
		if ctx.mup_iw then t[#t + 1] = "mup_interwork " .. ctx.mup_iw end
		if #ctx.rts > 0 then t[#t + 1] = "rt " .. table.concat(ctx.rts, ",") end
		if ctx.sid then t[#t + 1] = "sid " .. ctx.sid .. " behavior " .. ctx.behavior end
		t[#t + 1] = "kind " .. (cats_kinds[peek.kind] or tostring(peek.kind))
		if peek.cs then t[#t + 1] = "cs-id " .. peek.cs end
		if peek.cis then t[#t + 1] = "cis-id " .. peek.cis end
		t[#t + 1] = "metrics " .. peek.n
		return table.concat(t, " ")
	end
	while off < stop do
		if stop - off < 3 then bad(tree, GE.trunc, "attribute header runs past the block"); return end
		local fl, ty = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		local ext = bit32.band(fl, 0x10) ~= 0
		local hl = ext and 4 or 3
		if stop - off < hl then bad(tree, GE.trunc, "attribute header runs past the block"); return end
		local len = ext and tvb(off + 2, 2):uint() or tvb(off + 2, 1):uint()
		if off + hl + len > stop then bad(tree, GE.trunc, "attribute runs past the block"); return end
		local t = tree:add(catsbgp, tvb(off, hl + len), "Path attribute - " .. (attr_names[ty] or ("type " .. ty)))
		local fi = t:add(G.attr_flags, tvb(off, 1))
		t:add(G.attr_type, tvb(off + 1, 1))
		t:add(G.attr_len, tvb(off + 2, hl - 2))
		if want_flags[ty] and bit32.band(fl, 0xc0) ~= want_flags[ty] then
			bad(fi, GE.value, string.format("flags 0x%02x, must have 0x%02x (RFC 7606 3.c)", fl, want_flags[ty]))
		end
		if A[ty] then
			A[ty](tvb, off + hl, len, t, ctx)
		else
			if len > 0 then t:add(G.attr_value, tvb(off + hl, len)) end
			bad(t, GE.skipped, "attribute " .. ty)
		end
		off = off + hl + len
	end
	for _, r in ipairs(ctx.routes) do
		local text = r[4] and r[3] or (r[3] .. " " .. ctx.text())
		r[1]:add(G.route, r[2], text):set_generated()
	end
end

local function dissect_update(tvb, tree)
	local len = tvb:len()
	if len < 23 then bad(tree, GE.len, "UPDATE shorter than 23 octets"); return end
	local wl = tvb(19, 2):uint()
	tree:add(G.wd_len, tvb(19, 2))
	if 21 + wl + 2 > len then bad(tree, GE.trunc, "withdrawn routes run past the message (RFC 7606 3.b)"); return end
	prefixes(tvb, 21, 21 + wl, 1, tree)
	local al = tvb(21 + wl, 2):uint()
	tree:add(G.attrs_len, tvb(21 + wl, 2))
	local a = 23 + wl
	if a + al > len then bad(tree, GE.trunc, "attributes run past the message (RFC 7606 3.b)"); return end
	attributes(tvb, a, a + al, tree)
	prefixes(tvb, a + al, len, 1, tree)
end

local function dissect_open(tvb, tree)
	if tvb:len() < 29 then bad(tree, GE.len, "OPEN shorter than 29 octets"); return end
	tree:add(G.version, tvb(19, 1))
	tree:add(G.my_as, tvb(20, 2))
	tree:add(G.hold, tvb(22, 2))
	tree:add(G.bgp_id, tvb(24, 4))
	tree:add(G.opt_len, tvb(28, 1))
	local off, stop = 29, math.min(29 + tvb(28, 1):uint(), tvb:len())
	if 29 + tvb(28, 1):uint() ~= tvb:len() then bad(tree, GE.len, "optional parameters do not fill the OPEN") end
	while off + 2 <= stop do
		local pt, pl = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		if off + 2 + pl > stop then bad(tree, GE.trunc, "parameter runs past the OPEN"); return end
		local p = tree:add(catsbgp, tvb(off, 2 + pl), "Optional parameter " .. pt)
		p:add(G.param, tvb(off, 1))
		local o, e = off + 2, off + 2 + pl
		if pt == 2 then		-- RFC 5492 capabilities
			p:set_text("Capabilities")
			while o + 2 <= e do
				local code, cl = tvb(o, 1):uint(), tvb(o + 1, 1):uint()
				if o + 2 + cl > e then bad(p, GE.trunc, "capability runs past its parameter"); return end
				local c = p:add(catsbgp, tvb(o, 2 + cl), "Capability: " .. (cap_names[code] or code))
				c:add(G.cap, tvb(o, 1))
				c:add(G.cap_len, tvb(o + 1, 1))
				if code == 1 and want_len(c, cl, 4, "multiprotocol") then
					c:add(G.afi, tvb(o + 2, 2))
					c:add(G.safi, tvb(o + 5, 1))
					c:append_text(string.format(" %s %s", afi_names[tvb(o + 2, 2):uint()] or "?",
						safi_names[tvb(o + 5, 1):uint()] or tvb(o + 5, 1):uint()))
				elseif code == 2 then
					want_len(c, cl, 0, "route refresh")
				elseif code == 65 and want_len(c, cl, 4, "4-octet AS") then
					c:add(G.cap_as4, tvb(o + 2, 4))
				elseif cl > 0 then
					c:add(G.cap_value, tvb(o + 2, cl))	-- RFC 5492 3: ignored
				end
				o = o + 2 + cl
			end
		end
		off = e
	end
end

local function dissect_msg(tvb, pinfo, tree)
	local ty = tvb(18, 1):uint()
	local t = tree:add(catsbgp, tvb(), "CATS BGP " .. (msg_types[ty] or ty) .. " Message")
	for i = 0, 15 do
		if tvb(i, 1):uint() ~= 0xff then bad(t, GE.marker, "marker"); break end
	end
	t:add(G.length, tvb(16, 2))
	t:add(G.type, tvb(18, 1))
	if ty == 1 then dissect_open(tvb, t)
	elseif ty == 2 then dissect_update(tvb, t)
	elseif ty == 3 and tvb:len() >= 21 then
		t:add(G.code, tvb(19, 1))
		t:add(G.subcode, tvb(20, 1))
		if tvb:len() > 21 then t:add(G.notify_data, tvb(21)) end
	elseif ty == 5 and tvb:len() == 23 then
		t:add(G.afi, tvb(19, 2))
		t:add(G.safi, tvb(22, 1))
	end
end

-- Does Wireshark's bgp read this message without error?  Not when it
-- names SAFI 85 (an OPEN's multiprotocol capability, an UPDATE's MP
-- attribute, a ROUTE-REFRESH, a Cease 6/1's AFI/SAFI) or has attribute 255.
local function open_has_mup(tvb)
	local off, stop = 29, tvb:len()
	while off + 2 <= stop do
		local pl = tvb(off + 1, 1):uint()
		local o, e = off + 2, math.min(off + 2 + pl, stop)
		while tvb(off, 1):uint() == 2 and o + 2 <= e do
			local code, cl = tvb(o, 1):uint(), tvb(o + 1, 1):uint()
			if code == 1 and cl == 4 and o + 6 <= e and tvb(o + 5, 1):uint() == SAFI_MUP then return true end
			o = o + 2 + cl
		end
		off = off + 2 + pl
	end
	return false
end
local function update_has_mup(tvb)
	local len = tvb:len()
	if len < 23 then return false end
	local off = 23 + tvb(19, 2):uint()
	if off > len then return false end
	local stop = math.min(off + tvb(off - 2, 2):uint(), len)
	while off + 3 <= stop do
		local fl, ty = tvb(off, 1):uint(), tvb(off + 1, 1):uint()
		local hl = bit32.band(fl, 0x10) ~= 0 and 4 or 3
		if off + hl > stop then return false end
		local al = hl == 4 and tvb(off + 2, 2):uint() or tvb(off + 2, 1):uint()
		if ty == ATTR_CATS then return true end
		if (ty == 14 or ty == 15) and al >= 3 and off + hl + 3 <= stop and
		    tvb(off + hl + 2, 1):uint() == SAFI_MUP then return true end
		off = off + hl + al
	end
	return false
end
local function ours(tvb)
	local ty, len = tvb(18, 1):uint(), tvb:len()
	if ty == 1 then return len >= 29 and open_has_mup(tvb) end
	if ty == 2 then return update_has_mup(tvb) end
	if ty == 3 then return len >= 24 and tvb(23, 1):uint() == SAFI_MUP end
	if ty == 5 then return len >= 23 and tvb(22, 1):uint() == SAFI_MUP end
	return false
end

-- TCP: one or more BGP messages per segment, or one over several
-- (RFC 4271 4.1: the length is at octet 16).
function catsbgp.dissector(tvb, pinfo, tree)
	local off, len = 0, tvb:len()
	local names = {}
	while off < len do
		local rest = len - off
		if rest < 19 then
			pinfo.desegment_offset = off
			pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
			return len
		end
		local mlen = tvb(off + 16, 2):uint()
		if mlen < 19 or mlen > 4096 then
			-- not a message boundary: leave it to Wireshark's bgp
			bgp:call(tvb(off):tvb(), pinfo, tree)
			return len
		end
		if rest < mlen then
			pinfo.desegment_offset = off
			pinfo.desegment_len = mlen - rest
			return len
		end
		local m = tvb(off, mlen):tvb()
		if ours(m) then
			dissect_msg(m, pinfo, tree)
			names[#names + 1] = (msg_types[m(18, 1):uint()] or "?") .. " Message"
		else
			bgp:call(m, pinfo, tree)
			names = nil
		end
		off = off + mlen
	end
	if names then
		pinfo.cols.protocol = "BGP"
		pinfo.cols.info = table.concat(names, ", ")
	end
	return len
end
DissectorTable.get("tcp.port"):add(179, catsbgp)
