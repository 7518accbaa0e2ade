# Rules of the pooling stage.
