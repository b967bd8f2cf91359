-- Wireshark dissectors for u-blox u-connectXpress serial captures (NINA-W13/W15 and kin).
--
-- Our pcap/pcapng writer uses LINKTYPE_WIRESHARK_UPPER_PDU (252). Each packet names its
-- dissector in TLV tag 12, which Wireshark's exported_pdu dissector looks up by name:
--   ucx_edm  one Extended Data Mode frame: AA, 4 reserved bits + 12-bit length N,
--            2-byte payload id, N-2 body bytes, 55
--   ucx_at   one command-mode AT text unit (`AT+UFACTORY\r`, `\r\nOK\r\n`, `\r\n>`)
--   ucx_raw  any other bytes (boot noise, garbage, a credential's raw bytes)
--   ucx_verdict  no serial bytes: the outcome azure-dps wrote last into its recording
--   ucx_note     no serial bytes: what a live tap saw happen on the line (a new baud rate)
-- Direction comes from tag 35 or the pcapng EPB flags, both seen here as pinfo.p2p_dir.
-- Malformed bytes get expert info; dissection never stops on them. AT lines get the meaning
-- edm-decode's transcript gives them (`ucx_at.meaning`, `ucx_edm.meaning`), from tables that
-- `make dissector-tables` writes from the same catalog.
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

-- BEGIN GENERATED from the AT catalog by `make dissector-tables`; do not edit.
-- The catalog's entries by the kind of line they explain (the first of a name wins).
local AT_ENTRIES = {
    command = {
        [""] = { kind = "command", display = "AT",
            summary = "attention: check that the module answers in command mode",
            fields = {} },
        ["+UFACTORY"] = { kind = "command", display = "AT+UFACTORY",
            summary = "restore factory settings (effective after the next reboot)",
            fields = {} },
        ["+CPWROFF"] = { kind = "command", display = "AT+CPWROFF",
            summary = "reboot the module",
            fields = {} },
        ["E0"] = { kind = "command", display = "ATE0",
            summary = "turn command echo off",
            fields = {} },
        ["E1"] = { kind = "command", display = "ATE1",
            summary = "turn command echo on",
            fields = {} },
        ["+USECMNG"] = { kind = "command", display = "AT+USECMNG",
            summary = "credential manager: import, remove, list or read the MD5 of certificates and keys",
            fields = { "operation", "type", "credential", "size", "password" } },
        ["O2"] = { kind = "command", display = "ATO2",
            summary = "enter Extended Data Mode (EDM)",
            fields = {} },
        ["+UWSC"] = { kind = "command", display = "AT+UWSC",
            summary = "set a Wi-Fi station configuration parameter",
            fields = { "config", "tag", "value" } },
        ["+UWSCA"] = { kind = "command", display = "AT+UWSCA",
            summary = "run a Wi-Fi station configuration action",
            fields = { "config", "action" } },
        ["+UDCP"] = { kind = "command", display = "AT+UDCP",
            summary = "connect a peer given by URL",
            fields = { "url" }, rest = true },
        ["+UDUV"] = { kind = "command", display = "AT+UDUV",
            summary = "store a URL variable that later URLs use as %%<index>",
            fields = { "index", "value" }, rest = true },
        ["+UDCPC"] = { kind = "command", display = "AT+UDCPC",
            summary = "close a peer",
            fields = { "peer" } },
    },
    information = {
        ["+USECMNG"] = { kind = "response", display = "+USECMNG:",
            summary = "a credential and its MD5",
            fields = { "operation", "type", "credential", "md5" } },
        ["+UDCP"] = { kind = "response", display = "+UDCP:",
            summary = "the peer handle of a new connection",
            fields = { "peer" } },
        ["+STARTUP"] = { kind = "urc", display = "+STARTUP",
            summary = "module started (boot finished)",
            fields = {} },
        ["+UUWLE"] = { kind = "urc", display = "+UUWLE",
            summary = "Wi-Fi link up",
            fields = { "connection", "bssid", "channel" } },
        ["+UUWLD"] = { kind = "urc", display = "+UUWLD",
            summary = "Wi-Fi link down",
            fields = { "connection", "reason" } },
        ["+UUNU"] = { kind = "urc", display = "+UUNU",
            summary = "network up",
            fields = { "interface" } },
        ["+UUND"] = { kind = "urc", display = "+UUND",
            summary = "network down",
            fields = { "interface" } },
        ["+UUDPC"] = { kind = "urc", display = "+UUDPC",
            summary = "peer connected",
            fields = { "peer", "type", "protocol", "local_ip", "local_port", "remote_ip", "remote_port" },
            variant = { parameter = 1, equals = "1", fields = { "peer", "type", "profile", "address", "frame_size" } } },
        ["+UUDPD"] = { kind = "urc", display = "+UUDPD",
            summary = "peer disconnected",
            fields = { "peer" } },
    },
    final = {
        ["OK"] = { kind = "final", display = "OK",
            summary = "command succeeded",
            fields = {} },
        ["ERROR"] = { kind = "final", display = "ERROR",
            summary = "command failed",
            fields = {} },
        ["+CME ERROR"] = { kind = "final", display = "+CME ERROR",
            summary = "command failed with an error code",
            fields = { "error" } },
    },
    prompt = {
        [">"] = { kind = "prompt", display = ">",
            summary = "the module waits for the credential's bytes",
            fields = {} },
    },
}
local STATION_TAGS = {
    [0] = "active on startup",
    [2] = "SSID",
    [5] = "authentication",
    [6] = "WEP keys",
    [7] = "active WEP key",
    [8] = "passphrase",
    [9] = "password",
    [10] = "user name",
    [11] = "domain",
    [12] = "client certificate",
    [13] = "client key",
    [14] = "CA certificate",
    [15] = "CA validation",
    [100] = "IPv4 mode",
    [101] = "IPv4 address",
    [102] = "subnet mask",
    [103] = "gateway",
    [104] = "primary DNS",
    [105] = "secondary DNS",
    [300] = "listen interval",
    [301] = "DTIM",
}
local UNQUOTED_STATION_TAGS = { [7] = true, [101] = true, [102] = true, [103] = true, [104] = true, [105] = true, [300] = true, [301] = true }
local AUTHENTICATION_TYPES = {
    [1] = "open",
    [2] = "WPA/WPA2-PSK",
    [3] = "LEAP",
    [4] = "PEAP",
    [5] = "EAP-TLS",
    [6] = "WPA2/WPA3-PSK",
    [7] = "WPA3-PSK",
}
local STATION_ACTIONS = {
    [0] = "reset to defaults",
    [1] = "store",
    [2] = "load",
    [3] = "activate (connect)",
    [4] = "deactivate (disconnect)",
}
local LINK_DOWN_REASONS = {
    [0] = "unknown reason",
    [1] = "the access point closed the link",
    [2] = "out of range, check the access point is on and near",
    [3] = "roaming to another access point",
    [4] = "security problem, check the passphrase",
    [5] = "network disabled",
}
local CREDENTIAL_TYPES = {
    [0] = "root CA",
    [1] = "client certificate",
    [2] = "client private key",
}
local PEER_PROTOCOLS = {
    [0] = "TCP",
    [1] = "UDP",
    [6] = "MQTT",
}
local PEER_PROFILES = {
    [1] = "SPP",
    [2] = "DUN",
    [4] = "SPS",
}
-- An ERROR to AT+USECMNG=4,... (read a credential's MD5).
local NOT_STORED_YET = "not stored yet (expected on a fresh module: it is uploaded next)"
-- END GENERATED

---------------------------------------------------------------------------------------------
-- What an AT line means: the transcript's explanation (`edm-decode`), from the same catalog.
---------------------------------------------------------------------------------------------

-- One comma-separated argument: quoted when, spaces aside, it starts and ends with '"'.
-- Spaces around an unquoted value are dropped for responses only (a command's SSID keeps them).
local function at_parameter(raw, trimming)
    local inner = raw:match("^ *(.-) *$")
    if #inner >= 2 and inner:sub(1, 1) == '"' and inner:sub(-1) == '"' then
        return { text = inner:sub(2, -2), raw = raw }
    end
    return { text = trimming and inner or raw, raw = raw }
end

-- Splits on commas outside double quotes; a quote toggles, there is no escape.
local function at_split(args, trimming)
    local out = {}
    if args == nil or args == "" then return out end
    local start, quoted = 1, false
    for i = 1, #args + 1 do
        local c = args:sub(i, i)
        if i > #args or (c == "," and not quoted) then
            out[#out + 1] = at_parameter(args:sub(start, i - 1), trimming)
            start = i + 1
        elseif c == '"' then
            quoted = not quoted
        end
    end
    return out
end

-- Parses one line (CR and LF at its ends ignored) into kind, name, form and parameters.
local function at_parse(text)
    local u = text:gsub("^[\r\n]+", ""):gsub("[\r\n]+$", "")
    local line = { params = {} }
    if #u >= 2 and u:sub(1, 2):lower() == "at" then
        local rest = u:sub(3)
        local stop = rest:find("[=?]")
        line.kind, line.name = "command", rest:sub(1, (stop or #rest + 1) - 1)
        local args_at
        if not stop then
            line.form = "action"
        elseif rest:sub(stop, stop) == "?" then
            line.form, args_at = "read", stop + 1
        elseif rest:sub(stop + 1, stop + 1) == "?" then
            line.form, args_at = "test", stop + 2
        else
            line.form, args_at = "set", stop + 1
        end
        if args_at and (line.form == "set" or args_at <= #rest) then line.args = rest:sub(args_at) end
    elseif u == "OK" or u == "ERROR" then
        line.kind, line.name = "final", u
    elseif u:match("^> *$") then
        line.kind, line.name = "prompt", ">"
    elseif u:sub(1, 1) == "+" then
        local colon = u:find(":", 1, true)
        line.name = colon and u:sub(1, colon - 1) or u
        line.kind = (line.name == "+CME ERROR") and "final" or "information"
        if colon then line.args = u:sub(colon + 1) end
    else
        line.kind = "other"
        return line
    end
    if line.kind ~= "prompt" then line.params = at_split(line.args, line.kind ~= "command") end
    return line
end

local function param(line, i) local p = line.params[i + 1]; return p and p.text end

-- Parameter i (0-based) as a decimal integer, or nil.
local function int(line, i)
    local t = param(line, i)
    t = t and t:match("^ *([+-]?%d+) *$")
    if t == nil or #t > 18 then return nil end
    return tonumber(t)
end

-- Parameters i... joined back with their commas, as one parameter (a URL, a URL variable).
local function rest_from(line, i)
    local n = #line.params
    if i >= n then return nil end
    if i == n - 1 then return line.params[n].text end
    local raws = {}
    for k = i + 1, n do raws[#raws + 1] = line.params[k].raw end
    return at_parameter(table.concat(raws, ","), line.kind ~= "command").text
end

-- Characters, as the transcript counts them (UTF-8 continuation bytes do not count).
local function chars(s) return select(2, s:gsub("[^\128-\191]", "")) end

local function mac_text(hex)
    if #hex ~= 12 or hex:find("[^%x]") then return hex end
    return hex:upper():gsub("(%x%x)", "%1:"):sub(1, -2)
end

local function yes_no(v) return v == "1" and "yes" or v == "0" and "no" or '"' .. v .. '"' end

local function credential_type(t) return CREDENTIAL_TYPES[t] or ("credential type " .. t) end

local function station_tag(tag) return STATION_TAGS[tag] or ("tag " .. tag) end

local function station_setting(tag, value, count)
    if tag == 0 then return "active on startup: " .. yes_no(value)
    elseif tag == 2 then return 'SSID "' .. value .. '"'
    elseif tag == 5 then
        local n = value:match("^[+-]?%d+$") and tonumber(value)
        return "authentication " .. (n and AUTHENTICATION_TYPES[n] or ('type "' .. value .. '"'))
    elseif tag == 6 then return "WEP keys (" .. count .. " given)"
    elseif tag == 8 then
        if #value == 64 and not value:find("[^%x]") then return "pre-shared key (64 hex digits)" end
        local n = chars(value)
        return "passphrase (" .. n .. " characters" .. ((n >= 8 and n <= 63) and "" or "; WPA needs 8 to 63") .. ")"
    elseif tag == 9 then return "password (" .. chars(value) .. " characters)"
    elseif tag == 15 then return "validate the CA: " .. yes_no(value)
    elseif tag == 100 then
        return "IPv4 mode " .. (value == "1" and "static" or value == "2" and "DHCP" or '"' .. value .. '"')
    end
    if UNQUOTED_STATION_TAGS[tag] then return station_tag(tag) .. " " .. value end
    return station_tag(tag) .. ' "' .. value .. '"'
end

local function credential_command(line)
    local op = int(line, 0)
    if op == nil then return nil end
    if op == 3 then return "list stored credentials" end
    local ctype = int(line, 1)
    if #line.params < 3 or ctype == nil then return nil end
    local what = credential_type(ctype) .. ' "' .. param(line, 2) .. '"'
    if op == 0 then
        local size = int(line, 3)
        if line.form ~= "set" or size == nil or size < 0 then return nil end
        return "import " .. what .. " (" .. size .. " bytes" .. (#line.params > 4 and ", password-protected" or "") .. ")"
    elseif op == 2 then return "remove " .. what
    elseif op == 4 then return "read the MD5 of " .. what
    end
    return nil
end

-- `scheme://authority[/][?query]`: "connect MQTT peer to host:port, client "id"".
local function peer_url(url)
    local sep = url:find("://", 1, true)
    if not sep or sep == 1 then return nil end
    local rest = url:sub(sep + 3)
    local authority = rest:match("^[^/?]*")
    if authority == "" then return nil end
    local text = "connect " .. url:sub(1, sep - 1):upper() .. " peer to " .. authority
    local query = rest:match("%?(.*)$") or ""
    local client, password
    for item in (query .. "&"):gmatch("([^&]*)&") do
        local key, value = item:match("^([^=]*)=?(.*)$")
        if key == "client" and client == nil then client = value end
        if key == "passwd" and password == nil then password = value end
    end
    if client then text = text .. ', client "' .. client .. '"' end
    if password then
        local variable = password:match("^%%%%(%d+)$")
        text = text .. (variable and (", password from URL variable " .. variable) or ", password given in the URL")
    end
    return text
end

local function peer_connected(line)
    local peer, ptype, code = int(line, 0), int(line, 1), int(line, 2)
    if peer == nil or ptype == nil or code == nil then return nil end
    local v, n = {}, #line.params
    for k = 1, n do v[k - 1] = line.params[k].text end
    if ptype == 1 and n == 5 then
        local address, kind = v[3], ""
        local last = address:sub(-1)
        if last == "p" or last == "r" then
            kind = (last == "p") and " (public)" or " (random)"
            address = address:sub(1, -2)
        end
        return "peer " .. peer .. " connected: Bluetooth " .. (PEER_PROFILES[code] or ("profile " .. code)) ..
            " to " .. mac_text(address) .. kind .. ", frame size " .. v[4]
    elseif (ptype == 2 or ptype == 3) and n == 7 then
        local host = (ptype == 3 and v[5]:sub(1, 1) ~= "[") and ("[" .. v[5] .. "]") or v[5]
        return "peer " .. peer .. " connected: IPv" .. (ptype == 2 and 4 or 6) .. " " ..
            (PEER_PROTOCOLS[code] or ("protocol " .. code)) .. " to " .. host .. ":" .. v[6]
    end
    return nil
end

-- The detailed explanation of a line of a known entry, or nil for the entry's summary.
local function explanation(line, entry)
    local p, name, kind = #line.params, line.name:upper(), entry.kind
    local function num(i, f) local n = int(line, i); return n and f(n) end
    if kind == "command" then
        if name == "+USECMNG" then return credential_command(line)
        elseif name == "+UWSC" then
            local config, tag = int(line, 0), int(line, 1)
            if p < 2 or config == nil or tag == nil then return nil end
            local value = p > 2 and rest_from(line, 2)
            if not value then return "Wi-Fi station config " .. config .. ": read " .. station_tag(tag) end
            return "Wi-Fi station config " .. config .. ": " .. station_setting(tag, value, p - 2)
        elseif name == "+UWSCA" then
            local config, action = int(line, 0), int(line, 1)
            if p ~= 2 or config == nil or action == nil then return nil end
            return "Wi-Fi station config " .. config .. ": " .. (STATION_ACTIONS[action] or ("action " .. action))
        elseif name == "+UDCP" then
            local url = rest_from(line, 0)
            return url and peer_url(url)
        elseif name == "+UDUV" then
            local index, value = int(line, 0), rest_from(line, 1)
            if p < 2 or index == nil or value == nil then return nil end
            if value:sub(1, 21) == "SharedAccessSignature" then
                return "set URL variable " .. index .. " to a SAS token (" .. chars(value) .. " characters)"
            end
            return "set URL variable " .. index .. ' to "' .. value .. '"'
        elseif name == "+UDCPC" then return num(0, function(n) return "close peer " .. n end)
        end
    elseif kind == "response" then
        if name == "+USECMNG" then
            local op, ctype = int(line, 0), int(line, 1)
            if p ~= 4 or op == nil or ctype == nil then return nil end
            local what = credential_type(ctype) .. ' "' .. param(line, 2) .. '"'
            if op == 0 then return what .. " stored, MD5 " .. param(line, 3) end
            if op == 4 then return what .. " has MD5 " .. param(line, 3) end
        elseif name == "+UDCP" then return num(0, function(n) return "connecting as peer " .. n end)
        end
    elseif kind == "urc" then
        if name == "+UUWLE" then
            if p ~= 3 then return nil end
            return "Wi-Fi up, BSSID " .. mac_text(param(line, 1)) .. ", channel " .. param(line, 2)
        elseif name == "+UUWLD" then
            local reason = int(line, 1)
            if p ~= 2 or reason == nil then return nil end
            return "Wi-Fi link down: " .. (LINK_DOWN_REASONS[reason] or ("reason " .. reason))
        elseif name == "+UUNU" then return num(0, function(n) return "network up (interface " .. n .. ")" end)
        elseif name == "+UUND" then return num(0, function(n) return "network down (interface " .. n .. ")" end)
        elseif name == "+UUDPC" then return peer_connected(line)
        elseif name == "+UUDPD" then return num(0, function(n) return "peer " .. n .. " disconnected" end)
        end
    elseif kind == "final" and name == "+CME ERROR" then
        local t = param(line, 0)
        if p == 1 and t:match("^[+-]?%d+$") and #t <= 18 then return "command failed with error " .. tonumber(t) end
        if p == 1 then return 'command failed with error "' .. t .. '"' end
    end
    return nil
end

-- What one AT line means, or nil when the catalog does not know it.
local function explain(text)
    local line = at_parse(text)
    local group = AT_ENTRIES[line.kind]
    local entry = group and group[line.name:upper()]
    if entry == nil then return nil end
    if line.form == "test" then return "ask which values " .. entry.display .. " accepts" end
    if line.form == "read" then return "read the settings of " .. entry.display end
    return explanation(line, entry) or entry.summary
end

-- The one meaning that needs the session: an ERROR to `AT+USECMNG=4,...` (read a stored
-- credential's MD5) says the credential is not stored yet, as on any fresh module. Worked out
-- on the first pass, which sees the packets in order; later passes look the frame up.
local md5_read_pending = false
local not_stored_frames = {}

local function reset_session() md5_read_pending = false; not_stored_frames = {} end

-- `text`: the packet's AT text; for an EDM confirmation its last line (the final result).
local function not_stored_yet(pinfo, text)
    if not pinfo.visited then
        local line = at_parse(text)
        if line.kind == "command" and direction(pinfo) == 0 then
            md5_read_pending = line.name:upper() == "+USECMNG" and (line.args or ""):match("^4,") ~= nil
        elseif line.kind == "final" and direction(pinfo) ~= 0 then
            if md5_read_pending and line.name ~= "OK" then not_stored_frames[pinfo.number] = true end
            md5_read_pending = false
        end
    end
    return not_stored_frames[pinfo.number] == true
end

-- An AT body (one line or several, as an EDM AT frame carries): the meanings of its lines.
local function explain_lines(body)
    local meanings = {}
    for text in body:gmatch("[^\r\n]+") do
        meanings[#meanings + 1] = explain(text)
    end
    if #meanings == 0 then return nil end
    return table.concat(meanings, "; ")
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
    meaning      = ProtoField.string("ucx_edm.meaning", "Meaning"),
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

edm.init = reset_session

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
                local meaning = explain_lines(body:raw())
                local last = body:raw():match("([^\r\n]+)[\r\n]*$")
                if last and not_stored_yet(pinfo, last) then meaning = NOT_STORED_YET end
                if meaning then
                    t:add(ef.meaning, body, meaning):set_generated()
                    summary = summary .. " — " .. meaning
                end
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
    meaning = ProtoField.string("ucx_at.meaning", "Meaning"),
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

at.init = reset_session

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
    local info = "AT " .. kind .. " " .. one_line(tvb:raw())
    local meaning = not_stored_yet(pinfo, tvb:raw()) and NOT_STORED_YET or explain(tvb:raw())
    if meaning then
        t:add(af.meaning, tvb(), meaning):set_generated()
        info = info .. " — " .. meaning
    end
    pinfo.cols.info:set(info)
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

---------------------------------------------------------------------------------------------
-- ucx_verdict, ucx_note: text about the session, no serial bytes
---------------------------------------------------------------------------------------------

-- A protocol whose packets are one line of text, shown as `label: text` in the Info column.
local function text_proto(name, title, label)
    local proto = Proto(name, title)
    local text = ProtoField.string(name .. ".text", label)
    proto.fields = { text = text }
    function proto.dissector(tvb, pinfo, tree)
        pinfo.cols.protocol:set(string.upper(string.gsub(name, "_", "-")))
        tree:add(proto, tvb()):add(text, tvb())
        pinfo.cols.info:set(label .. ": " .. one_line(tvb:raw()))
        return tvb:len()
    end
    return proto
end

-- The last packet of an azure-dps recording: how the run ended, in words.
text_proto("ucx_verdict", "u-connectXpress recorded verdict", "Verdict")
-- Written by a live tap in its place among the units: the host changed its line settings.
text_proto("ucx_note", "u-connectXpress capture note", "Note")
