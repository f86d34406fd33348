-- Workload for the Lua interpreter in bench/real: recursion, table sorting
-- with a Lua comparator, string building and pattern matching, closures and
-- metatables.  Deterministic; prints checksums so every build of the
-- interpreter can be checked against the uninstrumented one.
--   lua bench.lua [SCALE]   (SCALE 1: about 0.4 s at -O2; 0.05 for callgrind)
local scale = tonumber(arg and arg[1]) or 1

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local function sorting(n)
  math.randomseed(42)
  local t = {}
  for i = 1, n do t[i] = { key = math.random(1, 1000000), id = i } end
  table.sort(t, function(a, b)
    if a.key ~= b.key then return a.key < b.key end
    return a.id < b.id
  end)
  local sum = 0
  for i = 1, n, 97 do sum = (sum + t[i].key * i) % 1000000007 end
  return sum
end

local function strings(n)
  local parts = {}
  for i = 1, n do
    parts[#parts + 1] = string.format("%d:%s;", i, string.rep("ab", i % 7))
  end
  local s = table.concat(parts)
  local count = 0
  for num, word in s:gmatch("(%d+):(%a*);") do
    if #word % 4 == 0 then count = count + tonumber(num) % 13 end
  end
  local up = s:sub(1, 20000):upper():gsub("AB", "x")
  return count + #up + #s
end

local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
function Vec.__add(a, b) return Vec.new(a.x + b.x, a.y + b.y) end
function Vec:dot(o) return self.x * o.x + self.y * o.y end

local function objects(n)
  local acc = Vec.new(0, 0)
  local dot = 0
  for i = 1, n do
    local v = Vec.new(i % 17, i % 5)
    acc = acc + v
    dot = (dot + acc:dot(v)) % 1000003
  end
  return dot
end

local function closures(n)
  local fs = {}
  for i = 1, 64 do fs[i] = function(x) return (x * i + 1) % 65521 end end
  local x = 1
  for i = 1, n do x = fs[i % 64 + 1](x) end
  return x
end

local function timed(name, f, ...)
  local t = os.clock()
  local r = f(...)
  if os.getenv("BENCH_LUA_TIMES") then io.stderr:write(name, " ", os.clock() - t, "\n") end
  print(name, r)
end
local function n(base) return math.floor(base * scale) end
timed("fib", fib, math.max(18, 30 + math.floor(math.log(scale, 2) + 1e-9)))
timed("sort", sorting, n(40000))
timed("strings", strings, n(50000))
timed("objects", objects, n(200000))
timed("closures", closures, n(1500000))
