// Product-passport trace, named-supplier part: the places that feed a plant through cited SUPPLIES
// links of one commodity (up to 4 steps), counted per step by country of location and country of
// control (their feed shares are not published, so places are counted, not weighted).
// Control rule as in prc_controlled_capacity.cypher (largest owner with a known control country;
// equal or unknown stakes: the first listed; no such owner: the place's own country).
// Python twin: minerals_graph.analysis.queries.trace_named_suppliers (used by `minerals-graph trace`).
// Parameters:
//   $id         STRING  node id of the plant, e.g. "facility:fac_mys_lynas_lamp_gebeng_kuantan"
//   $commodity  STRING  commodity id, e.g. "rare_earths"
// Example: minerals-graph neo4j query trace_named_suppliers --param id=facility:fac_mys_lynas_lamp_gebeng_kuantan --param commodity=rare_earths
MATCH p = (s)-[:SUPPLIES*1..4]->(f:MGNode {id: $id})
WHERE all(r IN relationships(p) WHERE r.commodity = $commodity) AND s.id <> $id
WITH s, min(length(p)) AS level
OPTIONAL MATCH (s)-[o:OWNED_BY]->(co:Company)
WITH s, level, collect(CASE WHEN co.control_iso3 IS NULL THEN NULL
     ELSE {share: coalesce(o.share_pct, -1.0), pos: coalesce(o.position, 999), ctrl: co.control_iso3} END) AS owners
WITH s, level, reduce(best = NULL, x IN owners |
       CASE WHEN best IS NULL OR x.share > best.share OR (x.share = best.share AND x.pos < best.pos)
            THEN x ELSE best END) AS top
WITH level, coalesce(s.iso3, '') AS location, CASE WHEN top IS NULL THEN coalesce(s.iso3, '') ELSE top.ctrl END AS control, s
RETURN level, location, control, count(DISTINCT s) AS places
ORDER BY level, location, control
