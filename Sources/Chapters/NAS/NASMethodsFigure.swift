import ChapterSupport
import Render

extension NASSections {
    /// Fig. 24: the three ways §6 names of steering a NAS search, side by side: a reinforcement-learning
    /// controller, an evolutionary population, and a gradient over a relaxed (softmax-weighted) supernet.
    /// The evolutionary loop is the one this chapter runs (drawn with a bold border).
    static func methodsGraph() -> Graph {
        var g = Graph(name: "nas_methods")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont(size: 11) + [("labelloc", "t"),
                        ("label", "Fig. 24: three ways to search (bold: the loop this chapter runs)")]
        g.nodeDefaults = GraphStyle.roundedBox + [("fillcolor", GraphStyle.Colour.paleGrey)] + GraphStyle.nodeFont
        g.edgeDefaults = GraphStyle.edgeFont
        g.node("rl_controller", label: "controller (an RNN)\nsamples an architecture", ["fillcolor": GraphStyle.Colour.paleBlue])
        g.node("rl_train", label: "train the candidate\n(or slice a supernet)")
        g.node("rl_eval", label: "accuracy, cost\n→ reward", ["fillcolor": GraphStyle.Colour.paleGreen])
        g.edge("rl_controller", "rl_train", ["label": "architecture"])
        g.edge("rl_train", "rl_eval")
        g.edge("rl_eval", "rl_controller", ["label": "policy gradient"])
        g.node("ev_population", label: "population of\narchitectures", ["fillcolor": GraphStyle.Colour.paleOrange, "penwidth": "2"])
        g.node("ev_parents", label: "select parents\n(Pareto-optimal)", ["penwidth": "2"])
        g.node("ev_children", label: "crossover and\nmutation → children", ["penwidth": "2"])
        g.node("ev_eval", label: "evaluate children:\nperplexity, EDP", ["fillcolor": GraphStyle.Colour.paleGreen, "penwidth": "2"])
        g.edge("ev_population", "ev_parents", ["penwidth": "2"])
        g.edge("ev_parents", "ev_children", ["penwidth": "2"])
        g.edge("ev_children", "ev_eval", ["penwidth": "2"])
        g.edge("ev_eval", "ev_population", ["label": "next generation", "penwidth": "2"])
        g.node("gd_supernet", label: "supernet: every choice\nmixed by softmax(α)", ["fillcolor": GraphStyle.Colour.paleBlue])
        g.node("gd_step", label: "gradient steps\nupdate the weights w and α")
        g.node("gd_pick", label: "keep argmax α\nper layer", ["fillcolor": GraphStyle.Colour.paleGreen])
        g.edge("gd_supernet", "gd_step", ["label": "loss + cost"])
        g.edge("gd_step", "gd_supernet")
        g.edge("gd_step", "gd_pick", ["label": "converged"])
        g.clusters = [
            Cluster(id: "rl", label: "reinforcement learning", nodeIDs: ["rl_controller", "rl_train", "rl_eval"],
                    attributes: GraphStyle.cluster),
            Cluster(id: "evolution", label: "evolutionary (this chapter)", nodeIDs: ["ev_population", "ev_parents", "ev_children", "ev_eval"],
                    attributes: GraphStyle.cluster),
            Cluster(id: "gradient", label: "gradient-based (differentiable)", nodeIDs: ["gd_supernet", "gd_step", "gd_pick"],
                    attributes: GraphStyle.cluster),
        ]
        return g
    }
}
