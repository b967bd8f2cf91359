-- Wireshark dissectors for u-blox u-connectXpress serial captures (NINA-W13/W15 and kin).
--
-- Our pcap/pcapng writer uses LINKTYPE_WIRESHARK_UPPER_PDU (252). Each packet names its
-- dissector in TLV tag 12, which Wireshark's exported_pdu dissector looks up by name:
--   ucx_edm  one Extended Data Mode frame: AA, 4 reserved bits + 12-bit length N,
--            2-byte payload id, N-2 body bytes, 55
--   ucx_at   one command-mode AT text unit (`AT+UFACTORY\r`, `\r\nOK\r\n`, `\r\n>`)
--   ucx_raw  any other bytes (boot noise, garbage, a credential's raw bytes)
-- Direction comes from tag 35 or the pcapng EPB flags, both seen here as pinfo.p2p_dir.
-- Malformed bytes get expert info; dissection never stops on them.
--
-- Install: copy to the personal Lua plugins folder (Help > About > Folders), e.g.
-- ~/.local/lib/wireshark/plugins/ on Linux, or run `tshark -X lua_script:ucx_edm.lua -r FILE`.

local DIR_NAMES = { [0] = "host → module", [1] = "module → host" }

local function direction(pinfo)
    local d = pinfo.p2p_dir
    if d == 0 or d == 1 then return d end
    return nil
end

-- Adds the generated direction field when the direction is known, and names the ends in the
-- Source/Destination columns.
local function add_direction(pinfo, tree, field, d)
    if d == nil then return end
    tree:add(field, d):set_generated()
    pinfo.cols.src:set(d == 0 and "host" or "module")
    pinfo.cols.dst:set(d == 0 and "module" or "host")
end

-- Text for the Info column: CR/LF runs become single spaces, ends trimmed.
local function one_line(s)
    s = s:gsub("[\r\n]+", " ")
    return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Printable ASCII, anything else as '.'.
local function preview(s, max)
    local p = s:sub(1, max):gsub("[^\32-\126]", ".")
    if #s > max then p = p .. "…" end
    return p
end

---------------------------------------------------------------------------------------------
-- ucx_edm
---------------------------------------------------------------------------------------------

local edm = Proto("ucx_edm", "u-connectXpress Extended Data Mode")

local ID_NAMES = {
    [0x0011] = "Connect event",
    [0x0021] = "Disconnect event",
    [0x0031] = "Data event",
    [0x0036] = "Data command",
    [0x0041] = "AT event",
    [0x0044] = "AT request",
    [0x0045] = "AT confirmation",
    [0x0056] = "Resend connect events",
    [0x0061] = "iPhone event",
    [0x0071] = "Start event",
}
local CONNECT_TYPES = { [1] = "Bluetooth", [2] = "IPv4", [3] = "IPv6" }
local BT_PROFILES = { [0] = "SPP", [1] = "DUN", [14] = "SPS" }
-- 255: not an EDM protocol; importers write it when the capture does not give one (rebuilt).
local IP_PROTOCOLS = { [0] = "TCP", [1] = "UDP", [2] = "MQTT", [255] = "unknown (rebuilt)" }
-- Payload length N expected for each connect type.
local CONNECT_SIZES = { [1] = 13, [2] = 17, [3] = 41 }

local ef = {
    dir          = ProtoField.uint8("ucx_edm.dir", "Direction", base.DEC, DIR_NAMES),
    start        = ProtoField.uint8("ucx_edm.start", "Start", base.HEX),
    reserved     = ProtoField.uint16("ucx_edm.reserved", "Reserved", base.HEX, nil, 0xF000),
    length       = ProtoField.uint16("ucx_edm.length", "Payload length", base.DEC, nil, 0x0FFF),
    type         = ProtoField.uint16("ucx_edm.type", "Payload id", base.HEX, ID_NAMES),
    channel      = ProtoField.uint8("ucx_edm.channel", "Channel", base.DEC),
    at           = ProtoField.string("ucx_edm.at", "AT text"),
    data         = ProtoField.bytes("ucx_edm.data", "Data"),
    body         = ProtoField.bytes("ucx_edm.body", "Body"),
    connect_type = ProtoField.uint8("ucx_edm.connect_type", "Connect type", base.DEC, CONNECT_TYPES),
    profile      = ProtoField.uint8("ucx_edm.profile", "Profile", base.DEC, BT_PROFILES),
    bd_addr      = ProtoField.ether("ucx_edm.bd_addr", "BD address"),
    frame_size   = ProtoField.uint16("ucx_edm.frame_size", "Frame size", base.DEC),
    protocol     = ProtoField.uint8("ucx_edm.protocol", "Protocol", base.DEC, IP_PROTOCOLS),
    remote_ipv4  = ProtoField.ipv4("ucx_edm.remote_ipv4", "Remote address"),
    local_ipv4   = ProtoField.ipv4("ucx_edm.local_ipv4", "Local address"),
    remote_ipv6  = ProtoField.ipv6("ucx_edm.remote_ipv6", "Remote address"),
    local_ipv6   = ProtoField.ipv6("ucx_edm.local_ipv6", "Local address"),
    remote_port  = ProtoField.uint16("ucx_edm.remote_port", "Remote port", base.DEC),
    local_port   = ProtoField.uint16("ucx_edm.local_port", "Local port", base.DEC),
    stop         = ProtoField.uint8("ucx_edm.stop", "Stop", base.HEX),
    trailing     = ProtoField.bytes("ucx_edm.trailing", "Bytes after the frame"),
}
edm.fields = ef

local ex = {
    bad_start    = ProtoExpert.new("ucx_edm.bad_start", "Start byte is not 0xAA",
                                   expert.group.MALFORMED, expert.severity.ERROR),
    reserved     = ProtoExpert.new("ucx_edm.reserved_nonzero", "Reserved length bits are not zero",
                                   expert.group.MALFORMED, expert.severity.WARN),
    short_length = ProtoExpert.new("ucx_edm.length_too_small", "Payload length below 2",
                                   expert.group.MALFORMED, expert.severity.ERROR),
    length       = ProtoExpert.new("ucx_edm.length_mismatch", "Length does not match the packet's bytes",
                                   expert.group.MALFORMED, expert.severity.ERROR),
    bad_stop     = ProtoExpert.new("ucx_edm.bad_stop", "Stop byte is not 0x55",
                                   expert.group.MALFORMED, expert.severity.ERROR),
    connect_size = ProtoExpert.new("ucx_edm.connect_size", "Connect event body has the wrong size",
                                   expert.group.MALFORMED, expert.severity.ERROR),
    short_body   = ProtoExpert.new("ucx_edm.short_body", "Body too short for its payload id",
                                   expert.group.MALFORMED, expert.severity.ERROR),
}
edm.experts = ex

local json = Dissector.get("json")

-- Data event/command body after the channel byte: bytes, JSON when it looks like JSON.
-- Returns a summary suffix for the Info column (the DPS "status" when present).
local function dissect_data(range, pinfo, tree)
    tree:add(ef.data, range)
    local text = range:raw()
    if not text:match("^%s*[{%[]") then return "" end
    json:call(range:tvb(), pinfo, tree)
    local status = text:match('"status"%s*:%s*"([^"]*)"')
    return status and (" " .. status) or ""
end

local function dissect_connect(body, tree, n, problem)
    -- body starts at the channel byte; n = payload length
    if body:len() < 2 then
        problem(ex.short_body, body, "Connect event without a connect type")
        return ""
    end
    local ctype = body(1, 1):uint()
    tree:add(ef.connect_type, body(1, 1))
    local want = CONNECT_SIZES[ctype]
    if want ~= nil and n ~= want then
        problem(ex.connect_size, body,
            string.format("%s connect event needs payload length %d, has %d", CONNECT_TYPES[ctype], want, n))
    elseif want == nil then
        problem(ex.connect_size, body(1, 1), string.format("Unknown connect type %d", ctype))
    end
    local avail = body:len()
    local function fits(off, len) return off + len <= avail end
    local summary = " " .. (CONNECT_TYPES[ctype] or ("type " .. ctype))
    if ctype == 1 then
        if fits(2, 1) then tree:add(ef.profile, body(2, 1)); summary = summary .. " " .. (BT_PROFILES[body(2, 1):uint()] or body(2, 1):uint()) end
        if fits(3, 6) then tree:add(ef.bd_addr, body(3, 6)); summary = summary .. " " .. tostring(body(3, 6):ether()) end
        if fits(9, 2) then tree:add(ef.frame_size, body(9, 2)) end
    elseif ctype == 2 or ctype == 3 then
        local alen = (ctype == 2) and 4 or 16
        local raddr = (ctype == 2) and ef.remote_ipv4 or ef.remote_ipv6
        local laddr = (ctype == 2) and ef.local_ipv4 or ef.local_ipv6
        if fits(2, 1) then
            local p = body(2, 1):uint()
            tree:add(ef.protocol, body(2, 1))
            summary = summary .. " " .. (IP_PROTOCOLS[p] or ("protocol " .. p))
        end
        if fits(3, alen + 2) then
            tree:add(raddr, body(3, alen))
            tree:add(ef.remote_port, body(3 + alen, 2))
            local a = (ctype == 2) and tostring(body(3, 4):ipv4()) or ("[" .. tostring(body(3, 16):ipv6()) .. "]")
            summary = summary .. " " .. a .. ":" .. body(3 + alen, 2):uint()
        end
        if fits(5 + alen, alen + 2) then
            tree:add(laddr, body(5 + alen, alen))
            tree:add(ef.local_port, body(5 + 2 * alen, 2))
        end
    end
    return summary
end

function edm.dissector(tvb, pinfo, tree)
    local total = tvb:len()
    pinfo.cols.protocol:set("UCX-EDM")
    local t = tree:add(edm, tvb())
    local d = direction(pinfo)
    add_direction(pinfo, t, ef.dir, d)
    local problems = {}
    local function problem(e, range, text)
        if range then t:add_tvb_expert_info(e, range, text) else t:add_proto_expert_info(e, text) end
        problems[#problems + 1] = text
    end

    if total < 3 then
        problem(ex.length, total > 0 and tvb() or nil,
                string.format("Packet of %d bytes is too short for an EDM header", total))
        pinfo.cols.info:set("EDM fragment [" .. table.concat(problems, "; ") .. "]")
        return total
    end

    t:add(ef.start, tvb(0, 1))
    if tvb(0, 1):uint() ~= 0xAA then
        problem(ex.bad_start, tvb(0, 1), string.format("Start byte is 0x%02X, not 0xAA", tvb(0, 1):uint()))
    end
    local lenword = tvb(1, 2):uint()
    t:add(ef.reserved, tvb(1, 2))
    t:add(ef.length, tvb(1, 2))
    local n = lenword % 0x1000
    if lenword >= 0x1000 then
        problem(ex.reserved, tvb(1, 2), string.format("Reserved bits are 0x%X", math.floor(lenword / 0x1000)))
    end
    if n < 2 then problem(ex.short_length, tvb(1, 2), string.format("Payload length %d is below 2", n)) end
    if n + 4 ~= total then
        problem(ex.length, tvb(1, 2),
                string.format("Payload length %d means a %d-byte frame, the packet has %d bytes", n, n + 4, total))
    end

    -- The payload runs to the stop byte where the length puts it. A packet too short for that:
    -- its last byte is the stop byte if it is 0x55, else the frame is cut off and has none.
    local stop_at = n + 3
    if stop_at >= total then
        stop_at = (tvb(total - 1, 1):uint() == 0x55) and (total - 1) or total
    end
    local payload_len = stop_at - 3
    local summary = "EDM"
    if payload_len >= 2 then
        local id = tvb(3, 2):uint()
        t:add(ef.type, tvb(3, 2))
        summary = ID_NAMES[id] or string.format("Unknown 0x%04X", id)
        local body = (payload_len > 2) and tvb(5, payload_len - 2) or nil
        if id == 0x0041 or id == 0x0044 or id == 0x0045 then
            if body then
                t:add(ef.at, body)
                summary = summary .. " " .. one_line(body:raw())
            end
        elseif id == 0x0011 or id == 0x0021 or id == 0x0031 or id == 0x0036 then
            if not body then
                problem(ex.short_body, tvb(3, 2), summary .. " without a channel byte")
            else
                t:add(ef.channel, body(0, 1))
                summary = summary .. " ch" .. body(0, 1):uint()
                if id == 0x0011 then
                    summary = summary .. dissect_connect(body, t, payload_len, problem)
                elseif id == 0x0031 or id == 0x0036 then
                    local dlen = body:len() - 1
                    summary = summary .. string.format(" (%d byte%s)", dlen, dlen == 1 and "" or "s")
                    if dlen > 0 then summary = summary .. dissect_data(body(1, dlen), pinfo, t) end
                elseif body:len() > 1 then
                    t:add(ef.body, body(1))
                end
            end
        elseif body then
            t:add(ef.body, body)
            summary = summary .. string.format(" (%d byte%s)", body:len(), body:len() == 1 and "" or "s")
        end
    end

    if stop_at == total then
        problem(ex.bad_stop, nil, "No stop byte: the frame is cut off")
    else
        t:add(ef.stop, tvb(stop_at, 1))
        if tvb(stop_at, 1):uint() ~= 0x55 then
            problem(ex.bad_stop, tvb(stop_at, 1), string.format("Stop byte is 0x%02X, not 0x55", tvb(stop_at, 1):uint()))
        end
    end
    if stop_at + 1 < total then t:add(ef.trailing, tvb(stop_at + 1)) end

    if #problems > 0 then summary = summary .. " [" .. table.concat(problems, "; ") .. "]" end
    -- Set last: a JSON sub-dissector writes its own columns.
    pinfo.cols.protocol:set("UCX-EDM")
    pinfo.cols.info:set(summary)
    return total
end

---------------------------------------------------------------------------------------------
-- ucx_at
---------------------------------------------------------------------------------------------

local at = Proto("ucx_at", "u-connectXpress AT command mode")
local af = {
    dir     = ProtoField.uint8("ucx_at.dir", "Direction", base.DEC, DIR_NAMES),
    text    = ProtoField.string("ucx_at.text", "Text"),
    command = ProtoField.string("ucx_at.command", "Command"),
    kind    = ProtoField.string("ucx_at.kind", "Kind"),
}
at.fields = af

-- Guesses command/echo/response/final/urc/prompt (or other) from the text and direction,
-- and the command name (`+UWSC`, `O2`, `+UUWLE`).
local function classify(line, d)
    local last = line:match("([^\r\n]*)[\r\n]*$") or line
    if line:match("^>") then return "prompt", nil end
    local name = line:match("^[Aa][Tt]([^=?\r\n]*)")
    if name then return (d == 1) and "echo" or "command", (name ~= "" and name or nil) end
    if last == "OK" or last == "ERROR" or last:match("^%+CME ERROR") then
        return "final", line:match("^(%+[^:\r\n]+)")
    end
    name = line:match("^(%+[^:\r\n]+)")
    if name then
        if name:match("^%+UU") or name == "+STARTUP" then return "urc", name end
        return "response", name
    end
    return "other", nil
end

function at.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol:set("UCX-AT")
    local t = tree:add(at, tvb())
    local d = direction(pinfo)
    add_direction(pinfo, t, af.dir, d)
    if tvb:len() == 0 then
        pinfo.cols.info:set("AT (empty)")
        return 0
    end
    t:add(af.text, tvb())
    local line = tvb:raw():gsub("^[\r\n]+", "")
    local kind, name = classify(line, d)
    t:add(af.kind, kind):set_generated()
    if name then t:add(af.command, name):set_generated() end
    pinfo.cols.info:set("AT " .. kind .. " " .. one_line(tvb:raw()))
    return tvb:len()
end

---------------------------------------------------------------------------------------------
-- ucx_raw
---------------------------------------------------------------------------------------------

local raw = Proto("ucx_raw", "u-connectXpress raw serial bytes")
local rf = {
    dir    = ProtoField.uint8("ucx_raw.dir", "Direction", base.DEC, DIR_NAMES),
    length = ProtoField.uint32("ucx_raw.length", "Length", base.DEC),
    data   = ProtoField.bytes("ucx_raw.data", "Data"),
}
raw.fields = rf

function raw.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol:set("UCX-RAW")
    local t = tree:add(raw, tvb())
    add_direction(pinfo, t, rf.dir, direction(pinfo))
    t:add(rf.length, tvb:len()):set_generated()
    if tvb:len() > 0 then t:add(rf.data, tvb()) end
    pinfo.cols.info:set(string.format("Raw %d byte%s %s", tvb:len(), tvb:len() == 1 and "" or "s",
                                      preview(tvb:raw(), 40)))
    return tvb:len()
end
