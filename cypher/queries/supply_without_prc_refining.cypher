// Supply still reachable when PRC refining is excluded.
// Answers: per commodity, the operating registered processing plants (any stage after mining) that
// are neither located in the PRC nor controlled from it, by country.
// Control rule as in prc_controlled_capacity.cypher.
// Python twin: minerals_graph.analysis.queries.supply_without_prc_refining.
// Parameters:
//   $country  STRING        ISO3 of the excluded country, e.g. "CHN"
//   $stages   LIST<STRING>  the processing stages, e.g. ["refining", "separation", "smelting"]
// Example: minerals-graph neo4j query supply_without_prc_refining --param country=CHN --param stages=refining,separation,smelting,metal_alloy,magnet,anode,precursor_cathode
MATCH (p:Facility)-[pr:PRODUCES]->(c:Commodity)
WHERE p.status = 'operating' AND pr.stage IN $stages AND p.iso3 <> $country
OPTIONAL MATCH (p)-[o:OWNED_BY]->(co:Company)
WITH p, c, collect(CASE WHEN co.control_iso3 IS NULL THEN NULL
     ELSE {share: coalesce(o.share_pct, -1.0), pos: coalesce(o.position, 999), ctrl: co.control_iso3} END) AS owners
WITH p, c, reduce(best = NULL, x IN owners |
       CASE WHEN best IS NULL OR x.share > best.share OR (x.share = best.share AND x.pos < best.pos)
            THEN x ELSE best END) AS top
WITH p, c, CASE WHEN top IS NULL THEN p.iso3 ELSE top.ctrl END AS control
WHERE control <> $country
RETURN c.id AS commodity, p.iso3 AS country, count(DISTINCT p) AS plants
ORDER BY commodity, country
