import Perceptron
