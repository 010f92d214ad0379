// PRC share of registered plants and capacity, per commodity and stage.
// Answers: of the operating mines and plants registered for a commodity at a stage, how many are
// located in the PRC and how many are controlled from it, and how much of their capacity (in
// t/yr as published, capacity of that commodity only) is.
// Control of a place = control country of its largest owner with a known control country
// (equal or unknown stakes: the first listed, r.position); with none, the place's own country.
// Python twin: minerals_graph.analysis.queries.prc_controlled_capacity.
// Parameters:
//   $country  STRING        ISO3 of the controlling country, e.g. "CHN"
//   $stages   LIST<STRING>  stages, e.g. ["refining", "separation"] (on the command line: refining,separation,
//                           one item: refining, or JSON: '["refining"]')
// Example: minerals-graph neo4j query prc_controlled_capacity --param country=CHN --param stages=refining
// Example: minerals-graph neo4j query prc_controlled_capacity --param country=CHN --param 'stages=["refining", "separation"]'
// Example: minerals-graph neo4j query prc_controlled_capacity --param country=CHN --param stages=refining,separation
MATCH (p:MGNode)-[pr:PRODUCES]->(c:Commodity)
WHERE p.kind IN ['Site', 'Facility'] AND p.status = 'operating' AND pr.stage IN $stages
OPTIONAL MATCH (p)-[o:OWNED_BY]->(co:Company)
WITH p, c, pr, collect(CASE WHEN co.control_iso3 IS NULL THEN NULL
     ELSE {share: coalesce(o.share_pct, -1.0), pos: coalesce(o.position, 999), ctrl: co.control_iso3} END) AS owners
WITH p, c, pr, owners,
     reduce(best = NULL, x IN owners |
       CASE WHEN best IS NULL OR x.share > best.share OR (x.share = best.share AND x.pos < best.pos)
            THEN x ELSE best END) AS top
WITH c.id AS commodity, pr.stage AS stage, p,
     CASE WHEN top IS NULL THEN p.iso3 ELSE top.ctrl END AS control,
     CASE WHEN p.capacity_unit = 't/yr' AND p.capacity_commodity = substring(c.id, 10) THEN p.capacity ELSE NULL END AS cap
RETURN commodity, stage,
       count(p) AS places,
       sum(CASE WHEN p.iso3 = $country THEN 1 ELSE 0 END) AS located,
       sum(CASE WHEN control = $country THEN 1 ELSE 0 END) AS controlled,
       sum(coalesce(cap, 0.0)) AS capacity_t,
       sum(CASE WHEN control = $country THEN coalesce(cap, 0.0) ELSE 0.0 END) AS controlled_capacity_t
ORDER BY commodity, stage
